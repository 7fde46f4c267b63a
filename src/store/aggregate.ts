/**
 * Turns a batch of observations into the rows one flush writes: raw rows (inside the window), and
 * per-minute deltas per site, per failing signature, per component, and the latest probe time per
 * site. Deltas are summed here so that each key appears once per statement (PostgreSQL refuses an
 * upsert that touches the same row twice) and the database only adds them to what it has.
 */
import type { Observation } from '../model/index.ts';
import type {
  LastProbeTable,
  ObservationsTable,
  RollupComponentTable,
  RollupSignatureTable,
  RollupSiteTable,
} from './schema.ts';

export const MINUTE_MS = 60_000;

/** The rows of one flush. */
export interface FlushRows {
  raw: ObservationsTable[];
  sites: RollupSiteTable[];
  signatures: RollupSignatureTable[];
  components: RollupComponentTable[];
  lastProbe: LastProbeTable[];
}

/** Start of the minute containing `time`. */
export function minuteOf(time: number): number {
  return Math.floor(time / MINUTE_MS) * MINUTE_MS;
}

/**
 * Aggregate `observations`. `componentsOf(site)` gives the distinct components the site depends on;
 * observations older than `rawSince` are rolled up but not kept raw.
 */
export function aggregate(
  observations: readonly Observation[],
  componentsOf: (site: string) => readonly string[],
  rawSince: number,
): FlushRows {
  const raw: ObservationsTable[] = [];
  const sites = new Map<string, RollupSiteTable>();
  const signatures = new Map<string, RollupSignatureTable>();
  const components = new Map<string, RollupComponentTable>();
  const lastProbe = new Map<string, LastProbeTable>();

  for (const o of observations) {
    const minute = minuteOf(o.time);
    const failed = o.outcome === 'down' ? 1 : 0;
    const degraded = o.outcome === 'degraded' ? 1 : 0;
    const total = Math.max(0, Math.round(o.timings.total));
    if (o.time >= rawSince) raw.push(toRow(o));

    const key = `${o.site}\n${minute}`;
    const s = sites.get(key);
    if (s) {
      s.n++;
      s.failures += failed;
      s.degraded += degraded;
      s.sum_ms += total;
      if (total > s.max_ms) s.max_ms = total;
    } else {
      sites.set(key, {
        site: o.site,
        minute,
        n: 1,
        failures: failed,
        degraded,
        sum_ms: total,
        max_ms: total,
      });
    }

    if (o.signature !== 'ok') {
      const sigKey = `${key}\n${o.signature}`;
      const g = signatures.get(sigKey);
      if (g) g.n++;
      else signatures.set(sigKey, { site: o.site, minute, signature: o.signature, n: 1 });
    }

    for (const component of componentsOf(o.site)) {
      const cKey = `${component}\n${minute}`;
      const c = components.get(cKey);
      if (c) {
        c.n++;
        c.failures += failed;
        c.degraded += degraded;
      } else components.set(cKey, { component, minute, n: 1, failures: failed, degraded });
    }

    const last = lastProbe.get(o.site);
    if (!last) lastProbe.set(o.site, { site: o.site, at: o.time });
    else if (o.time > last.at) last.at = o.time;
  }

  return {
    raw,
    sites: [...sites.values()],
    signatures: [...signatures.values()],
    components: [...components.values()],
    lastProbe: [...lastProbe.values()],
  };
}

/** Timings are kept to the whole millisecond: finer is noise from outside, and integers pack small. */
function ms(value: number | undefined): number | null {
  return value === undefined ? null : Math.round(value);
}

function toRow(o: Observation): ObservationsTable {
  return {
    site: o.site,
    vantage: o.vantage,
    time: o.time,
    kind: o.kind,
    outcome: o.outcome,
    signature: o.signature,
    address: o.address ?? null,
    status: o.status ?? null,
    cdn: o.cdn ?? null,
    ms_dns: ms(o.timings.dns),
    ms_connect: ms(o.timings.connect),
    ms_tls: ms(o.timings.tls),
    ms_ttfb: ms(o.timings.ttfb),
    ms_total: Math.round(o.timings.total),
    detail: o.detail ?? null,
  };
}
