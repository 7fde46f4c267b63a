import { describe, expect, it } from 'vitest';
import { engine, fault, MIN, manySites, provider, scenario, T0 } from './fixtures.ts';
import { mergeIntervals, onIntervals } from './timeline.ts';

const providers = [provider('ovh')];

describe('flap', () => {
  const at = T0 + 10 * MIN;
  const sc = scenario({
    providers,
    sites: manySites(3),
    faults: [
      fault(
        'flappy',
        { provider: 'ovh' },
        { at, until: at + 32 * MIN, flap: { periodMs: 5 * MIN, duty: 0.4 } },
      ),
    ],
  });
  const eng = engine(sc);

  it.each<[string, number, boolean]>([
    ['before at', at - 1, false],
    ['at', at, true],
    ['end of first on-phase', at + 2 * MIN - 1, true],
    ['off at duty × period', at + 2 * MIN, false],
    ['still off just before the next period', at + 5 * MIN - 1, false],
    ['on again at the next period', at + 5 * MIN, true],
    ['sixth period on', at + 30 * MIN + 1, true],
    ['ended at until inside an on-phase', at + 32 * MIN, false],
    ['long after', at + 100 * MIN, false],
  ])('%s', (_name, t, on) => {
    for (let i = 0; i < 3; i++) expect(eng.effectOn(i, 'hosting', t) !== null).toBe(on);
  });

  it('truth expands the on-intervals, the last one cut at until', () => {
    const mine = eng.truth().filter((x) => x.domain === 's0.test' && x.role === 'hosting');
    expect(mine.map((x) => [x.from - at, (x.to ?? 0) - at])).toEqual([
      [0, 2 * MIN],
      [5 * MIN, 7 * MIN],
      [10 * MIN, 12 * MIN],
      [15 * MIN, 17 * MIN],
      [20 * MIN, 22 * MIN],
      [25 * MIN, 27 * MIN],
      [30 * MIN, 32 * MIN],
    ]);
  });
});

describe('staged recovery', () => {
  const N = 100;
  const until = T0 + 60 * MIN;
  const R = 20 * MIN;
  const sc = scenario({
    providers,
    sites: manySites(N),
    faults: [fault('f', { provider: 'ovh' }, { until, recoveryMs: R })],
  });
  const eng = engine(sc);
  const recovered = (t: number) => {
    let n = 0;
    for (let i = 0; i < N; i++) if (eng.effectOn(i, 'hosting', t) === null) n++;
    return n;
  };

  it('site k of N recovers at until + recovery × (k+1)/N', () => {
    const ends = eng
      .truth()
      .filter((x) => x.role === 'hosting')
      .map((x) => x.to!)
      .sort((a, b) => a - b);
    expect(ends).toEqual(Array.from({ length: N }, (_, k) => until + (R * (k + 1)) / N));
  });

  it.each<[string, number, number]>([
    ['nobody before until', until - 1, 0],
    ['nobody exactly at until', until, 0],
    ['first one after 1/N of the window', until + R / N, 1],
    ['half at half the window', until + R / 2, 50],
    ['90 % at 90 % of the window', until + 0.9 * R, 90],
    ['89 just before', until + 0.9 * R - 1, 89],
    ['all at the end of the window', until + R, 100],
  ])('%s', (_name, t, n) => {
    expect(recovered(t)).toBe(n);
  });

  it('the order is a deterministic shuffle, not site order', () => {
    const order = eng
      .truth()
      .filter((x) => x.role === 'hosting')
      .sort((a, b) => a.to! - b.to!)
      .map((x) => x.domain);
    expect(order).not.toEqual(manySites(N).map((s) => s.domain));
    expect(engine(sc).truth()).toEqual(eng.truth());
    expect(eng.faults[0].lastRecovery).toBe(until + R);
  });

  it('sites on one shared address recover together', () => {
    const e = engine(sc, (i) => `a${i % 10}`);
    const byAddr = new Map<string, Set<number>>();
    for (const x of e.truth()) {
      if (x.role !== 'hosting') continue;
      const a = `a${Number(x.domain.slice(1, -5)) % 10}`;
      byAddr.set(a, (byAddr.get(a) ?? new Set()).add(x.to!));
    }
    expect(byAddr.size).toBe(10);
    for (const ends of byAddr.values()) expect(ends.size).toBe(1);
    expect(new Set([...byAddr.values()].map((s) => [...s][0])).size).toBe(10);
  });

  it('until null: lasts to the end (to null in truth)', () => {
    const e = engine(
      scenario({
        providers,
        sites: manySites(2),
        faults: [fault('f', { provider: 'ovh' }, { until: null })],
      }),
    );
    expect(e.effectOn(0, 'hosting', sc.end - 1)).not.toBeNull();
    expect(e.effectOn(0, 'hosting', sc.end + 10 * MIN)).not.toBeNull();
    expect(e.truth().every((x) => x.to === null)).toBe(true);
    expect(e.faults[0].lastRecovery).toBeNull();
  });
});

describe('interval helpers', () => {
  it('onIntervals clips to the window', () => {
    const flap = { period: 10, onLen: 4 };
    expect(onIntervals(0, 100, flap, 12, 35)).toEqual([
      [12, 14],
      [20, 24],
      [30, 34],
    ]);
    expect(onIntervals(0, 100, { period: 0, onLen: 0 }, 50, 70)).toEqual([[50, 70]]);
    expect(onIntervals(0, 100, { period: 10, onLen: 0 }, 0, 100)).toEqual([]);
  });
  it('mergeIntervals merges overlaps and touching', () => {
    expect(
      mergeIntervals([
        [5, 7],
        [0, 2],
        [2, 3],
        [6, 9],
      ]),
    ).toEqual([
      [0, 3],
      [5, 9],
    ]);
  });
});
