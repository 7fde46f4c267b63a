import { describe, expect, it } from 'vitest';
import type { Observation } from '../model/observation.ts';
import { consensus, PathWatch, type RegionalProblem } from './consensus.ts';

describe('consensus', () => {
  it('down on a quorum of healthy vantages, regional below it, and unhealthy vantages do not vote', () => {
    const v = (vantage: string, failing: boolean) => ({ vantage, failing });
    expect(consensus([v('a', true), v('b', true), v('c', false)]).verdict).toBe('down');
    expect(consensus([v('a', true), v('b', false), v('c', false)])).toEqual({
      verdict: 'regional',
      failingFrom: ['a'],
      okFrom: ['b', 'c'],
    });
    expect(consensus([v('a', false), v('b', false)]).verdict).toBe('up');
    // a's network is broken (vantage health): its failure is no evidence at all
    expect(consensus([v('a', true), v('b', false), v('c', false)], (x) => x !== 'a').verdict).toBe('up');
    expect(consensus([v('a', true), v('b', true), v('c', false)], (x) => x !== 'c').verdict).toBe('down');
  });
});

describe('PathWatch', () => {
  const obs = (site: string, vantage: string, down: boolean, time: number): Observation => ({
    site,
    vantage,
    time,
    kind: 'http',
    outcome: down ? 'down' : 'up',
    signature: down ? 'connect_timeout' : 'ok',
    timings: { total: 1 },
  });

  it('reports a site failing from one vantage of three as a regional problem, until it recovers', () => {
    const changes: [string, RegionalProblem | null][] = [];
    const w = new PathWatch({ onChange: (s, p) => changes.push([s, p]) });
    for (let t = 0; t < 3; t++) {
      w.observe(obs('x.test', 'paris', true, t * 60));
      w.observe(obs('x.test', 'tokyo', false, t * 60 + 20));
      w.observe(obs('x.test', 'ohio', false, t * 60 + 40));
      w.observe(obs('y.test', 'paris', false, t * 60));
    }
    expect(w.regional()).toEqual([
      {
        site: 'x.test',
        failingFrom: ['paris'],
        okFrom: ['tokyo', 'ohio'],
        signature: 'connect_timeout',
        since: 0,
      },
    ]);
    // Then tokyo sees it too: a quorum, an outage (detection's business), no longer regional.
    w.observe(obs('x.test', 'tokyo', true, 200));
    w.observe(obs('x.test', 'tokyo', true, 260));
    expect(w.regional()).toEqual([]);
    expect(changes.map(([s, p]) => [s, p === null])).toEqual([
      ['x.test', false],
      ['x.test', true],
    ]);
  });
});
