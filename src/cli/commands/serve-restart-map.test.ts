/**
 * A restart in the middle of an outage that also takes the sites' DNS away: the sites cannot be
 * mapped again (their names do not resolve), yet the map a previous run stored says what they
 * depend on. `vigie serve` must read that map at once — explaining the outage as the DNS
 * provider's, not as a cluster of unexplained failures — and must not erase it from the store
 * when the new map fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Child, startVigie, waitFor } from '../../../test/support/cli.ts';
import { startWorldChild, type WorldChild } from '../../lab/run/world-child.ts';
import type { Incident } from '../../model/incident.ts';

const world = (fault: boolean) =>
  [
    'name: restart-map',
    'timezone: UTC',
    'start: 2024-05-02T10:00',
    'end: 2024-05-02T12:00',
    'speed: 30',
    'probe_interval: 60s',
    'providers:',
    '  - { id: ovh, name: OVH SAS, asn: 16276, catalog: ovh, roles: [hosting, dns], regions: [gra] }',
    '  - { id: hetzner, name: Hetzner Online GmbH, asn: 24940, catalog: hetzner, roles: [hosting, dns] }',
    'sites:',
    '  - { domain: "shop-{n}.test", count: 12, hosting: { provider: hetzner }, dns: ovh }',
    '  - { domain: "blog-{n}.test", count: 12, hosting: { provider: hetzner }, dns: hetzner }',
    // OVH hosts these, its DNS serves the shops: a DNS failure is told from an OVH-wide one.
    '  - { domain: "vps-{n}.test", count: 6, hosting: { provider: ovh, region: gra }, dns: hetzner }',
    ...(fault
      ? [
          'faults:',
          '  - { id: dns-down, at: "10:00", until: "12:00", target: { provider: ovh, role: dns }, effect: { kind: blackhole } }',
          'truth:',
          '  - { fault: dns-down, cause: { provider: ovh, role: dns }, not: [hetzner] }',
        ]
      : []),
  ].join('\n');

const domains = [
  ...Array.from({ length: 12 }, (_, i) => `shop-${i + 1}.test`),
  ...Array.from({ length: 12 }, (_, i) => `blog-${i + 1}.test`),
  ...Array.from({ length: 6 }, (_, i) => `vps-${i + 1}.test`),
];

describe('vigie serve restarted while the DNS of its sites is down', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-restart-map-'));
  const worlds: WorldChild[] = [];
  const children: Child[] = [];
  afterAll(async () => {
    for (const c of children) await c.stop();
    for (const w of worlds) await w.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A world of the scenario above (its DNS provider blackholed from the start or not), state in dir/NAME. */
  const startWorld = async (name: string, fault: boolean) => {
    writeFileSync(join(dir, `${name}.yaml`), world(fault));
    const w = await startWorldChild({ scenarioFile: join(dir, `${name}.yaml`), stateDir: join(dir, name) });
    worlds.push(w);
    return w;
  };

  const serve = (worldDir: string) => {
    const config = join(dir, `vigie-${worlds.length}.yaml`);
    writeFileSync(
      config,
      [
        `world: ${worldDir}`,
        `store: sqlite:${join(dir, 'serve.db')}`,
        'listen: 127.0.0.1:0',
        'sites_file: sites.txt',
      ].join('\n'),
    );
    const c = startVigie(['serve', '--config', config]);
    children.push(c);
    return c;
  };

  it('reads the stored map at once, keeps it when the new map fails, and names the DNS provider', {
    timeout: 120_000,
  }, async () => {
    writeFileSync(join(dir, 'sites.txt'), `${domains.join('\n')}\n`);
    // A first run maps every site on a healthy world and stores the map.
    const healthy = await startWorld('healthy', false);
    const first = serve(join(dir, 'healthy'));
    await waitFor(first, /mapped 30\/30 domains/, 60_000);
    await first.stop();
    await healthy.stop();

    // The same world, its DNS provider blackholed from the start: the re-map fails for its sites.
    await startWorld('broken', true);
    const second = serve(join(dir, 'broken'));
    const url = (await waitFor(second, /serving \d+ sites on (http:\/\/\S+)/, 30_000))[1].replace(/\/$/, '');
    await waitFor(second, /kept the last map of 12 sites that could not be mapped again/, 60_000);

    // The store still holds what the DNS-less sites depend on.
    const site = (await (await fetch(`${url}/api/sites/shop-3.test`)).json()) as {
      dependencies: { component: string; role: string }[];
    };
    expect(site.dependencies).toContainEqual(
      expect.objectContaining({ component: 'provider:ovh', role: 'dns' }),
    );

    // And the outage is explained as the DNS provider's, on its 12 sites (an incident may open
    // on the first sites confirmed and take the others as they are).
    let named: Incident | undefined;
    for (let k = 0; k < 200 && (named?.affected.length ?? 0) < 12; k++) {
      await new Promise((r) => setTimeout(r, 200));
      const r = await fetch(`${url}/api/incidents?status=all`);
      const body = (await r.json()) as { incidents?: Incident[] } | Incident[];
      const list = Array.isArray(body) ? body : (body.incidents ?? []);
      named = list.find((i) => i.cause.provider === 'ovh');
    }
    expect(named, second.output().slice(-1500)).toBeDefined();
    expect(named!.cause).toMatchObject({ provider: 'ovh', role: 'dns' });
    expect(named!.affected).toHaveLength(12);
  });
});
