/**
 * Fault timing as a client sees it on the simulated clock: flapping, staged recovery, `share`, and
 * the crowd-report stream of the control endpoint.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load.ts';
import { waitUntil, webGet } from './testing.ts';
import { startWorld, type World } from './world.ts';

const SCENARIO = `
name: timing-test
start: 2021-01-01T00:00
end: 2021-01-01T01:00
speed: 120
providers:
  - {id: hostco, name: HOSTCO SAS, asn: 64500, roles: [hosting, dns]}
sites:
  - {domain: flap.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: "rec-{n}.test", count: 10, hosting: {provider: hostco, plan: dedicated}, weight: 50}
  - {domain: "part-{n}.test", count: 200, hosting: {provider: hostco, plan: dedicated}}
faults:
  - {id: flapping, at: "+2m", target: {domains: [flap.test]}, effect: {kind: http_error, status: 500}, flap: {period: 4m, duty: 0.5}}
  - id: staged
    at: "+2m"
    until: "+6m"
    recovery: {over: 4m}
    target: {domains: [rec-1.test, rec-2.test, rec-3.test, rec-4.test, rec-5.test, rec-6.test, rec-7.test, rec-8.test, rec-9.test, rec-10.test]}
    effect: {kind: http_error, status: 503}
  - {id: partial, at: "+2m", target: {domains: [${Array.from({ length: 200 }, (_, i) => `part-${i + 1}.test`).join(', ')}]}, effect: {kind: http_error, status: 502}, share: 0.6}
reports: {baseline_per_hour: 0.5, surge: 40}
`;

const T0 = Date.UTC(2021, 0, 1);
const MIN = 60_000;
let world: World;

async function status(domain: string): Promise<number> {
  const s = world.plan.sites[world.plan.siteByDomain.get(domain)!];
  const r = await webGet(s.frontAddresses[0], world.info.ports.http, domain, { timeoutMs: 2000 });
  return r.kind === 'response' ? r.status : -1;
}

beforeAll(async () => {
  world = await startWorld(parseScenario(SCENARIO, 'timing.yaml'), {
    stateDir: mkdtempSync(join(tmpdir(), 'vigie-timing-')),
    ports: { dns: 0, http: 0, https: 0, smtp: 0, control: 0 },
  });
});
afterAll(() => world?.stop());

describe('fault timing on the simulated clock', () => {
  it('flaps, recovers in stages, hits the given share, and streams crowd reports', async () => {
    expect(await status('flap.test')).toBe(200);
    await waitUntil(world.clock, T0 + 2.5 * MIN);
    expect(await status('flap.test')).toBe(500); // on for the first half of each 4-minute period
    const hit = (
      await Promise.all(Array.from({ length: 200 }, (_, i) => status(`part-${i + 1}.test`)))
    ).filter((s) => s === 502).length;
    expect(hit).toBeGreaterThan(100); // share 0.6 of 200
    expect(hit).toBeLessThan(140);
    await waitUntil(world.clock, T0 + 4.5 * MIN);
    expect(await status('flap.test')).toBe(200); // off
    await waitUntil(world.clock, T0 + 6.5 * MIN);
    expect(await status('flap.test')).toBe(500); // on again
    // staged recovery from +6m over 4m: the k-th of 10 sites is back at +6m + 4m×(k+1)/10
    await waitUntil(world.clock, T0 + 8.1 * MIN);
    const rec = await Promise.all(Array.from({ length: 10 }, (_, i) => status(`rec-${i + 1}.test`)));
    const back = rec.filter((s) => s === 200).length;
    expect(back).toBeGreaterThanOrEqual(4);
    expect(back).toBeLessThanOrEqual(6);
    await waitUntil(world.clock, T0 + 10.2 * MIN);
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => status(`rec-${i + 1}.test`)));
    expect(all.every((s) => s === 200)).toBe(true);
    // crowd reports: the failing sites draw a surge of reports
    const res = await fetch(`${world.info.control}/reports?from=${T0}&to=${T0 + 10 * MIN}`);
    const reports = (await res.json()) as { domain: string; time: number }[];
    const during = reports.filter(
      (r) => r.domain.startsWith('rec-') && r.time >= T0 + 3 * MIN && r.time < T0 + 6 * MIN,
    );
    const before = reports.filter((r) => r.domain.startsWith('rec-') && r.time < T0 + 2 * MIN);
    expect(during.length).toBeGreaterThan(before.length * 3 + 5);
    const bad = await fetch(`${world.info.control}/reports?from=abc`);
    expect(bad.status).toBe(400);
  }, 30_000);
});
