/**
 * Where the mapper's inputs come from: a simulated world's state directory (`world.json` names its
 * resolver, IP-to-AS table, range files, web ports and CA), or the real world's defaults (the
 * system resolver, the bundled IP-to-AS database, ports 80/443).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DnsServer } from '../dns/types.ts';
import { UsageError } from '../errors.ts';

/** What a world's `world.json` tells a client (the subset the mapper uses). */
export interface WorldEndpoints {
  resolver: DnsServer;
  asnDb: string;
  rangesDir: string;
  httpPort: number;
  httpsPort: number;
  caFile: string;
}

/** Read `DIR/world.json` (DIR may also be the file itself). Throws `UsageError` when unusable. */
export function readWorld(dir: string): WorldEndpoints {
  const path = dir.endsWith('.json') ? dir : join(dir, 'world.json');
  let info: {
    resolver?: DnsServer;
    asnDb?: string;
    rangesDir?: string;
    ports?: { http?: number; https?: number };
    caFile?: string;
  };
  try {
    info = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(
      `cannot read world description ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const { resolver, asnDb, rangesDir, ports, caFile } = info;
  if (!resolver?.address || !resolver.port || !asnDb || !rangesDir || !ports?.http || !ports.https || !caFile)
    throw new UsageError(
      `${path} is not a world description (resolver, asnDb, rangesDir, ports, caFile expected)`,
    );
  return { resolver, asnDb, rangesDir, httpPort: ports.http, httpsPort: ports.https, caFile };
}
