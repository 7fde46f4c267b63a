/**
 * What the pipeline needs from the world it watches, whichever world that is: a resolver, the
 * IP-to-AS table, provider range files, the provider catalog, the ports and CA to probe with, and
 * the vantages to probe from. A simulated world describes these in its `world.json`; a real
 * deployment takes the system resolver, the bundled IP-to-AS database and the operator's range
 * directory. Nothing here knows a world's faults.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AsnTable } from '../asn/table.ts';
import { loadCatalog } from '../catalog/load.ts';
import type { Catalog } from '../catalog/match.ts';
import type { DnsServer } from '../dns/types.ts';
import { UsageError } from '../errors.ts';
import { RegionTable } from '../map/ranges.ts';
import type { WorldInfo } from '../model/world.ts';
import type { ProbePorts } from '../probe/types.ts';

export interface Vantage {
  id: string;
  /** Source address probes are sent from (default: the system's choice). */
  address?: string;
}

export interface Environment {
  resolver: DnsServer;
  asn: AsnTable;
  regions: RegionTable | null;
  catalog: Catalog;
  /** Service ports (default 80, 443, 25). */
  ports?: ProbePorts;
  /** Extra root certificate to trust (PEM). */
  ca?: string;
  vantages: Vantage[];
  /** The world's description, when watching a simulated world (clock, title, control address). */
  world: WorldInfo | null;
}

/** A world's description from its state directory (or the world.json file itself). */
export function readWorld(dir: string): WorldInfo {
  const path = dir.endsWith('.json') ? dir : join(dir, 'world.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as WorldInfo;
  } catch (e) {
    throw new UsageError(`cannot read world description ${path}: ${(e as Error).message}`);
  }
}

/** The environment of a simulated world, from its description. */
export function worldEnvironment(info: WorldInfo, catalog: Catalog = loadCatalog()): Environment {
  return {
    resolver: info.resolver,
    asn: AsnTable.load(info.asnDb),
    regions: RegionTable.loadDir(info.rangesDir),
    catalog,
    ports: { http: info.ports.http, https: info.ports.https, smtp: info.ports.smtp },
    ca: readFileSync(info.caFile, 'utf8'),
    vantages: info.vantages.length ? info.vantages : [{ id: 'local' }],
    world: info,
  };
}

/** The real world's environment: the operator's resolver, the bundled (or given) IP-to-AS data, range files. */
export function realEnvironment(o: {
  resolver: DnsServer;
  vantage: string;
  asnDb?: string | null;
  rangesDir?: string | null;
  catalog?: Catalog;
}): Environment {
  return {
    resolver: o.resolver,
    asn: o.asnDb ? AsnTable.load(o.asnDb) : AsnTable.loadDefault(),
    regions: o.rangesDir ? RegionTable.loadDir(o.rangesDir) : null,
    catalog: o.catalog ?? loadCatalog(),
    vantages: [{ id: o.vantage }],
    world: null,
  };
}
