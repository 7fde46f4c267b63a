import { describe, expect, it } from 'vitest';
import type { Observation } from '../model/observation.ts';
import type { VantageHealthChange } from './types.ts';
import { VantageHealth } from './vantage-health.ts';

const groupOf = (site: string) => site.split('-')[0]; // "ovh-12.test" → "ovh"
const PROVIDERS = ['ovh', 'aws', 'scaleway', 'hetzner', 'gandi'];

function obs(site: string, vantage: string, time: number, down: boolean): Observation {
  return {
    site,
    vantage,
    time,
    kind: 'http',
    outcome: down ? 'down' : 'up',
    signature: down ? 'connect_timeout' : 'ok',
    timings: { total: 1 },
  };
}

function run(h: VantageHealth, vantage: string, t0: number, failing: (p: string) => boolean) {
  let t = t0;
  for (let i = 0; i < 20; i++) {
    for (const p of PROVIDERS) {
      t += 100;
      h.observe(obs(`${p}-${i}.test`, vantage, t, failing(p)));
    }
  }
  return t;
}

describe('VantageHealth', () => {
  it('stays healthy through a real outage of one provider (OVH down, others fine)', () => {
    const changes: VantageHealthChange[] = [];
    const h = new VantageHealth({ groupOf, windowMs: 10_000, emit: (c) => changes.push(c) });
    run(h, 'local', 0, (p) => p === 'ovh');
    expect(h.isHealthy('local')).toBe(true);
    expect(changes).toEqual([]);
  });

  it('condemns a lone vantage that sees every provider fail at once, and clears it on recovery', () => {
    const changes: VantageHealthChange[] = [];
    const h = new VantageHealth({ groupOf, windowMs: 5_000, emit: (c) => changes.push(c) });
    let t = run(h, 'local', 0, () => false);
    t = run(h, 'local', t, () => true);
    expect(h.isHealthy('local')).toBe(false);
    expect(changes[0]).toMatchObject({ vantage: 'local', healthy: false });
    expect(changes[0].reason).toMatch(/implausible spread/);
    run(h, 'local', t + 10_000, () => false);
    expect(h.isHealthy('local')).toBe(true);
  });

  it('condemns a vantage failing where the others succeed', () => {
    const changes: VantageHealthChange[] = [];
    // spread 1.01 disables the spread rule: only the comparison can fire
    const h = new VantageHealth({ groupOf, windowMs: 10_000, spread: 1.01, emit: (c) => changes.push(c) });
    let t = 0;
    for (let i = 0; i < 30; i++) {
      for (const p of PROVIDERS) {
        t += 50;
        h.observe(obs(`${p}-${i}.test`, 'paris', t, false));
        h.observe(obs(`${p}-${i}.test`, 'frankfurt', t, p !== 'aws'));
      }
    }
    expect(h.isHealthy('paris')).toBe(true);
    expect(h.isHealthy('frankfurt')).toBe(false);
    expect(changes.at(-1)?.reason).toMatch(/other vantages/);
  });

  it('does not condemn a vantage on the one or two verdicts a loaded machine let through', () => {
    const h = new VantageHealth({ groupOf, windowMs: 10_000, spread: 1.01, emit: () => {} });
    let t = 0;
    for (let i = 0; i < 30; i++) {
      t += 50;
      h.observe(obs(`ovh-${i}.test`, 'paris', t, false));
    }
    // Frankfurt's other verdicts were withheld (the machine's own lag): two failures are no sample.
    h.observe(obs('ovh-1.test', 'frankfurt', t + 10, true));
    h.observe(obs('ovh-2.test', 'frankfurt', t + 600, true));
    expect(h.isHealthy('frankfurt')).toBe(true);
  });
});
