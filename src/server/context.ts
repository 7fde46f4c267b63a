/** What every route plugin receives: the injected dependencies, nothing global. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MaintenanceSchedule } from '../alerts/maintenance.ts';
import type { Site } from '../model/site.ts';
import type { TargetPolicy } from '../net/address-policy.ts';
import type { Store } from '../store/types.ts';
import type { ProbeMetrics } from './metrics/probe-metrics.ts';
import type { RiskSource } from './risk-cache.ts';
import type { StatusSource, StatusWriter } from './status/types.ts';
import type { PageInfo } from './statuspage.ts';

export interface ServerContext {
  source: StatusSource;
  writer: StatusWriter;
  store: Store;
  clock: { now(): number };
  policy: TargetPolicy;
  page: PageInfo;
  risk: RiskSource;
  metrics: ProbeMetrics | null;
  /** `onRequest` hook of the routes that write: the token is checked before the body is read. */
  requireToken: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Resolve a new site's name before accepting it (optional: the probers check every resolution anyway). */
  resolveHost: ((host: string) => Promise<string[]>) | null;
  /** Tell the pipeline the watched set changed. */
  onSitesChanged: (change: { added: Site[]; removed: string[] }) => void;
  /** Shortest time (real ms) between two rebuilds of a cached body while the state keeps changing. */
  cacheMs: number;
  sse: { heartbeatMs: number; maxClients: number; clients: number };
  /** Maintenance windows in force (src/alerts/maintenance.ts). */
  maintenance: MaintenanceSchedule;
}
