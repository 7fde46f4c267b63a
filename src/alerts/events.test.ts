import { describe, expect, it } from 'vitest';
import type { Incident } from '../model/incident.ts';
import { alertEvents } from './events.ts';

const T = 1_634_110_000_000;
const MIN = 60_000;

function inc(patch: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-4',
    cause: { provider: 'ovh', asn: 16276, name: null, region: null, plan: null, role: null, component: null },
    kind: 'network',
    signature: 'connect_timeout',
    confidence: 0.97,
    startedAt: T,
    detectedAt: T + 2 * MIN,
    peakAt: null,
    resolvedAt: null,
    affected: Array.from({ length: 40 }, (_, k) => `s${k}.test`),
    exonerated: [],
    evidence: [],
    timeline: [{ time: T + 2 * MIN, failing: 40, restored: 0 }],
    ...patch,
  };
}

const grown = (n: number, time: number) =>
  inc({
    affected: Array.from({ length: n }, (_, k) => `s${k}.test`),
    timeline: [{ time, failing: n, restored: 0 }],
  });

describe('alert events of an incident change', () => {
  it.each([
    ['a new incident opens', null, inc(), ['inc-4:opened']],
    ['nothing changed', inc(), inc(), []],
    ['a crowd-report-only incident opens as reported', null, inc({ kind: 'reported' }), ['inc-4:reported']],
    ['probes confirm a reported incident', inc({ kind: 'reported' }), inc(), ['inc-4:opened']],
    [
      'the cause is refined',
      inc(),
      inc({ cause: { ...inc().cause, region: 'sbg' } }),
      ['inc-4:cause:ovh|sbg|||'],
    ],
    ['growth past a rung of the ladder', inc(), grown(120, T + 5 * MIN), ['inc-4:peak:100']],
    ['growth within a rung', grown(120, T), grown(180, T + MIN), []],
    [
      'restoration crosses 50 % and 90 % at once: one event, the highest',
      inc(),
      inc({ timeline: [...inc().timeline, { time: T + 9 * MIN, failing: 2, restored: 0.95 }] }),
      ['inc-4:restored:90'],
    ],
    [
      'everything back before the resolution: no milestone, the resolution will say it',
      inc(),
      inc({ timeline: [...inc().timeline, { time: T + 9 * MIN, failing: 0, restored: 1 }] }),
      [],
    ],
    ['resolution', inc(), inc({ resolvedAt: T + 60 * MIN }), [`inc-4:resolved:${T + 60 * MIN}`]],
    [
      'first seen already resolved',
      null,
      inc({ resolvedAt: T + 9 * MIN }),
      ['inc-4:opened', `inc-4:resolved:${T + 9 * MIN}`],
    ],
    ['a flap reopens it', inc({ resolvedAt: T + 9 * MIN }), inc(), [`inc-4:reopened:${T + 9 * MIN}`]],
  ])('%s', (_name, prev, next, ids) => {
    expect(alertEvents(prev, next).map((e) => e.id)).toEqual(ids);
  });

  it('carries the kind, the value and the incident after the change', () => {
    const next = inc({ timeline: [{ time: T + 30 * MIN, failing: 10, restored: 0.75 }] });
    expect(alertEvents(inc(), next)).toEqual([
      {
        id: 'inc-4:restored:50',
        incidentId: 'inc-4',
        kind: 'restoration',
        at: T + 30 * MIN,
        value: 0.5,
        incident: next,
      },
    ]);
    expect(alertEvents(null, inc())[0]).toMatchObject({ kind: 'opened', at: T + 2 * MIN });
  });

  it('announces the milestones given', () => {
    const next = inc({ timeline: [{ time: T, failing: 10, restored: 0.3 }] });
    expect(alertEvents(inc(), next, { milestones: [0.25, 0.5] }).map((e) => e.id)).toEqual([
      'inc-4:restored:25',
    ]);
  });
});
