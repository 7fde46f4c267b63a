/**
 * Test helpers: start a world from scenario text on free ports and map it the way `vigie map
 * --world` would.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnTable } from '../../src/asn/table.ts';
import { loadCatalog } from '../../src/catalog/load.ts';
import { DnsClient } from '../../src/dns/client.ts';
import type { Scenario } from '../../src/lab/scenario/types.ts';
import { startWorld, type World } from '../../src/lab/sim/world.ts';
import { type MapperOptions, mapDomains } from '../../src/map/mapper.ts';
import { RegionTable } from '../../src/map/ranges.ts';
import type { MapReport } from '../../src/map/types.ts';

/** Start the world of `scenario` on free ports in a temporary state directory. */
export function startTestWorld(scenario: Scenario): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-map-'));
  return startWorld(scenario, { stateDir: dir, ports: { dns: 0, http: 0, https: 0, smtp: 0, control: 0 } });
}

/** Map `domains` in `world` (default: all its sites). */
export async function mapWorld(
  world: World,
  opts: { domains?: string[]; tls?: boolean; http?: boolean; extra?: Partial<MapperOptions> } = {},
): Promise<MapReport> {
  const i = world.info;
  const dns = new DnsClient({ server: i.resolver, timeoutMs: 500, retries: 1 });
  try {
    return await mapDomains(opts.domains ?? world.plan.sites.map((s) => s.domain), {
      dns,
      catalog: loadCatalog(),
      asn: AsnTable.load(i.asnDb),
      regions: RegionTable.loadDir(i.rangesDir),
      http: opts.http === false ? null : { port: i.ports.http, timeoutMs: 2000 },
      tls: opts.tls ? { port: i.ports.https, timeoutMs: 3000, ca: readFileSync(i.caFile, 'utf8') } : null,
      ...opts.extra,
    });
  } finally {
    await dns.close();
  }
}
