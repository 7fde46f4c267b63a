/**
 * Conformance cases of the alert outbox and maintenance windows, run by `describeStore` on every
 * backend (SQLite and PostgreSQL).
 */
import { expect, it } from 'vitest';
import type { Incident } from '../model/index.ts';
import type { AlertDelivery, MaintenanceWindow, Store } from './types.ts';

const T0 = 1_760_000_040_000;

function incident(id: string, patch: Partial<Incident> = {}): Incident {
  return {
    id,
    cause: { provider: 'ovh', asn: 16276, name: null, region: null, plan: null, role: null, component: null },
    kind: 'network',
    signature: 'connect_timeout',
    confidence: 0.95,
    startedAt: T0,
    detectedAt: T0 + 60_000,
    peakAt: null,
    resolvedAt: null,
    affected: ['a.test', 'b.test'],
    exonerated: [],
    evidence: [],
    timeline: [{ time: T0, failing: 2, restored: 0 }],
    ...patch,
  };
}

function delivery(eventId: string, channel: string, patch: Partial<AlertDelivery> = {}): AlertDelivery {
  return {
    eventId,
    channel,
    incidentId: 'i1',
    kind: 'opened',
    status: 'pending',
    attempts: 0,
    nextAt: T0,
    createdAt: T0,
    deliveredAt: null,
    lastError: null,
    merged: [],
    ...patch,
  };
}

/** Register the outbox cases; `fresh` opens an empty store of the backend under test. */
export function describeOutbox(fresh: () => Promise<{ store: Store; url: string }>): void {
  it('commits an incident and the events its change causes in one transaction', async () => {
    const { store } = await fresh();
    const seen: (Incident | null)[] = [];
    const derive = (prev: Incident | null) => {
      seen.push(prev);
      return prev === null
        ? [{ id: 'i1:opened', incidentId: 'i1', kind: 'opened', at: T0, data: { n: 1 } }]
        : [{ id: 'i1:resolved', incidentId: 'i1', kind: 'resolved', at: T0 + 5, data: { n: 2 } }];
    };
    const first = await store.commitIncident(incident('i1'), derive);
    expect(first).toEqual([
      {
        seq: expect.any(Number),
        id: 'i1:opened',
        incidentId: 'i1',
        kind: 'opened',
        at: T0,
        data: { n: 1 },
        fanned: false,
      },
    ]);
    const resolved = incident('i1', { resolvedAt: T0 + 5 });
    const second = await store.commitIncident(resolved, derive);
    expect(second.map((e) => e.id)).toEqual(['i1:resolved']);
    expect(second[0].seq).toBeGreaterThan(first[0].seq);
    expect(seen).toEqual([null, incident('i1')]);
    expect(await store.incidents()).toEqual([resolved]);
    // The same change derived again appends nothing: ids are unique.
    expect(await store.commitIncident(resolved, derive)).toEqual([]);
    expect((await store.outboxEvents()).map((e) => e.id)).toEqual(['i1:opened', 'i1:resolved']);
    expect(await store.outboxEvents({ incidentId: 'other' })).toEqual([]);
  });

  it('writes neither the incident nor its events when the transaction fails', async () => {
    const { store } = await fresh();
    await expect(
      store.commitIncident(incident('i2'), () => {
        throw new Error('derive failed');
      }),
    ).rejects.toThrow('derive failed');
    expect(await store.incidents()).toEqual([]);
    // A duplicate id inside one change is fine (kept once); the incident is there.
    const e = { id: 'i2:opened', incidentId: 'i2', kind: 'opened', at: T0, data: null };
    expect(await store.commitIncident(incident('i2'), () => [e, e])).toHaveLength(1);
    expect(await store.incidents()).toHaveLength(1);
  });

  it('fans events out into deliveries, merges superseded ones, and updates them', async () => {
    const { store } = await fresh();
    await store.commitIncident(incident('i1'), () => [
      { id: 'e1', incidentId: 'i1', kind: 'opened', at: T0, data: {} },
      { id: 'e2', incidentId: 'i1', kind: 'peak', at: T0 + 1, data: {} },
    ]);
    expect((await store.outboxEvents({ fanned: false })).map((e) => e.id)).toEqual(['e1', 'e2']);
    await store.fanOutEvent('e1', [delivery('e1', 'hook'), delivery('e1', 'mail')], []);
    // Fanning out twice keeps the existing deliveries as they are.
    await store.updateDelivery(
      { eventId: 'e1', channel: 'hook' },
      { status: 'delivered', deliveredAt: T0 + 9, attempts: 1 },
    );
    await store.fanOutEvent('e1', [delivery('e1', 'hook')], []);
    expect((await store.outboxEvents({ fanned: false })).map((e) => e.id)).toEqual(['e2']);
    await store.fanOutEvent(
      'e2',
      [delivery('e2', 'mail', { kind: 'peak', merged: ['e1'], nextAt: T0 + 300_000, createdAt: T0 + 1 })],
      [
        { eventId: 'e1', channel: 'mail' },
        { eventId: 'e1', channel: 'hook' },
      ],
    );
    const all = await store.alertDeliveries();
    expect(all.map((d) => [d.eventId, d.channel, d.status])).toEqual([
      ['e1', 'hook', 'delivered'],
      ['e1', 'mail', 'merged'],
      ['e2', 'mail', 'pending'],
    ]);
    expect(all[2].merged).toEqual(['e1']);
    expect(await store.alertDeliveries({ status: ['pending'], dueBy: T0 })).toEqual([]);
    expect(await store.alertDeliveries({ status: ['pending'], dueBy: T0 + 300_000 })).toHaveLength(1);
    await store.updateDelivery(
      { eventId: 'e2', channel: 'mail' },
      { status: 'failed', lastError: 'HTTP 500', attempts: 9 },
    );
    expect(await store.alertDeliveries({ status: ['failed'] })).toEqual([
      delivery('e2', 'mail', {
        kind: 'peak',
        merged: ['e1'],
        nextAt: T0 + 300_000,
        createdAt: T0 + 1,
        status: 'failed',
        lastError: 'HTTP 500',
        attempts: 9,
      }),
    ]);
    // Pruning keeps what is pending (e2 has no pending delivery left: it goes with its deliveries).
    await store.commitIncident(incident('i1'), () => [
      { id: 'e3', incidentId: 'i1', kind: 'peak', at: T0, data: {} },
    ]);
    await store.fanOutEvent('e3', [delivery('e3', 'hook', { kind: 'peak', createdAt: T0 - 10 })], []);
    expect(await store.pruneOutbox(0)).toBe(0);
    const pruned = await store.pruneOutbox(Number.MAX_SAFE_INTEGER);
    expect(pruned).toBe(5);
    expect((await store.alertDeliveries()).map((d) => d.eventId)).toEqual(['e3']);
    expect((await store.outboxEvents()).map((e) => e.id)).toEqual(['e3']);
    await store.updateDelivery(
      { eventId: 'e3', channel: 'hook' },
      { status: 'delivered', deliveredAt: T0 + 9 },
    );
    const latest = await store.alertDeliveries({
      channel: 'hook',
      incidentId: 'i1',
      status: ['delivered'],
      latestDelivered: true,
      limit: 1,
    });
    expect(latest.map((d) => d.deliveredAt)).toEqual([T0 + 9]);
  });

  it('keeps maintenance windows: saved, replaced per source, deleted, filtered by end', async () => {
    const { store } = await fresh();
    const w = (id: string, patch: Partial<MaintenanceWindow> = {}): MaintenanceWindow => ({
      id,
      title: `work ${id}`,
      startsAt: T0,
      endsAt: T0 + 3_600_000,
      sites: [],
      providers: ['ovh'],
      tags: [],
      source: 'api',
      createdAt: T0 - 1,
      ...patch,
    });
    await store.saveMaintenance(w('m1'));
    await store.saveMaintenance(w('m1', { title: 'renamed', sites: ['a.test'] }));
    await store.replaceMaintenances('config', [w('c1', { source: 'config', startsAt: T0 - 10 })]);
    await store.replaceMaintenances('config', [
      w('c2', { source: 'config', startsAt: T0 - 5, tags: ['shop'] }),
    ]);
    expect(await store.maintenances()).toEqual([
      w('c2', { source: 'config', startsAt: T0 - 5, tags: ['shop'] }),
      w('m1', { title: 'renamed', sites: ['a.test'] }),
    ]);
    expect(await store.maintenances({ source: 'api' })).toHaveLength(1);
    expect(await store.maintenances({ endsAfter: T0 + 3_600_000 })).toEqual([]);
    expect(await store.deleteMaintenance('m1')).toBe(true);
    expect(await store.deleteMaintenance('m1')).toBe(false);
    expect((await store.maintenances()).map((m) => m.id)).toEqual(['c2']);
  });
}
