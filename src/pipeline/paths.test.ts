/**
 * Path problems through detection (pure logic over the Bus: observations in, messages out): a site
 * failing from one of three healthy vantages is published as a path problem and never goes down;
 * failing from two of them it is down, not a path problem; back from everywhere, the problem ends.
 */
import { describe, expect, it } from 'vitest';
import { InProcessBus } from '../bus/bus.ts';
import { ManualClock } from '../clock/clock.ts';
import type { PathChange, StateTransition } from '../detect/types.ts';
import type { Observation } from '../model/observation.ts';
import { Detection } from './watch.ts';

const T0 = Date.UTC(2024, 4, 2, 10);
const MIN = 60_000;
const VANTAGES = ['paris', 'frankfurt', 'lyon'];
const SITES = Array.from({ length: 30 }, (_, i) => `s${i}.test`);

function setup() {
  const bus = new InProcessBus();
  const clock = new ManualClock(T0);
  const paths: PathChange[] = [];
  const transitions: StateTransition[] = [];
  bus.subscribe('path', (p) => paths.push(p));
  bus.subscribe('transition', (t) => transitions.push(t));
  const detection = new Detection({ bus, clock, intervalMs: MIN });
  /** One round: every site from every vantage, `down(site, vantage)` saying which fail. */
  const round = (k: number, down: (site: string, vantage: string) => boolean) => {
    for (const site of SITES)
      for (const vantage of VANTAGES) {
        const bad = down(site, vantage);
        const o: Observation = {
          site,
          vantage,
          time: T0 + k * MIN,
          kind: 'http',
          outcome: bad ? 'down' : 'up',
          signature: bad ? 'connect_timeout' : 'ok',
          timings: { total: bad ? 10_000 : 40 },
        };
        bus.publish('observation', o);
      }
  };
  return { detection, round, paths, transitions };
}

describe('path problems', () => {
  it('publishes a site failing from one vantage only as a path problem, never as down', () => {
    const { detection, round, paths, transitions } = setup();
    for (let k = 0; k < 3; k++) round(k, () => false);
    for (let k = 3; k < 8; k++) round(k, (s, v) => s === 's7.test' && v === 'lyon');
    expect(paths.filter((p) => p.problem).map((p) => p.site)).toEqual(['s7.test']);
    expect(paths.at(-1)?.problem).toMatchObject({
      failingFrom: ['lyon'],
      okFrom: ['paris', 'frankfurt'],
      signature: 'connect_timeout',
    });
    expect(detection.paths.regional().map((p) => p.site)).toEqual(['s7.test']);
    expect(transitions.filter((t) => t.site === 's7.test' && t.to === 'down')).toEqual([]);
    for (let k = 8; k < 11; k++) round(k, () => false);
    expect(paths.at(-1)).toMatchObject({ site: 's7.test', problem: null });
    expect(detection.paths.regional()).toEqual([]);
  });

  it('a site failing from a quorum of vantages is down, not a path problem', () => {
    const { round, paths, transitions } = setup();
    for (let k = 0; k < 3; k++) round(k, () => false);
    for (let k = 3; k < 8; k++) round(k, (s, v) => s === 's3.test' && v !== 'lyon');
    expect(paths.filter((p) => p.problem)).toEqual([]);
    expect(transitions.some((t) => t.site === 's3.test' && t.to === 'down')).toBe(true);
  });
});
