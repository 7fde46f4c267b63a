/**
 * The compact batch encoding of observations on the wire (agent → core): one JSON message per
 * batch, every observation a short array whose strings (site, address) index a table shared by
 * the batch, with kind, outcome and signature as small numbers, times relative to the batch's
 * first, timings at 10 µs, and the fields most observations share (the address family) said once.
 * Whatever a probe adds beyond the common fields travels as JSON text in the string table (so the
 * extras most observations share are said once), and nothing an observation carries is lost. Observation `i` of a batch has the sequence number `seq + i`: with
 * the vantage and the agent's boot id, that is its id for idempotent ingestion.
 */
import type { Observation, Outcome, ProbeKind, Signature } from '../model/observation.ts';

const KINDS: ProbeKind[] = ['dns', 'tcp', 'tls', 'http', 'smtp'];
const OUTCOMES: Outcome[] = ['up', 'degraded', 'down'];
const SIGNATURES: Signature[] = [
  'ok',
  'nxdomain',
  'servfail',
  'dns_timeout',
  'refused',
  'connect_timeout',
  'reset',
  'tls_error',
  'tls_expired',
  'http_4xx',
  'http_5xx',
  'cdn_error',
  'read_timeout',
  'slow',
  'smtp_4xx',
  'smtp_5xx',
  'probe_error',
];
const kindIx = new Map(KINDS.map((k, i) => [k, i]));
const outcomeIx = new Map(OUTCOMES.map((k, i) => [k, i]));
const sigIx = new Map(SIGNATURES.map((k, i) => [k, i]));

/** Fields carried in the fixed part of the tuple (everything else goes in its last element). */
const FIXED = new Set([
  'site',
  'vantage',
  'time',
  'kind',
  'outcome',
  'signature',
  'address',
  'status',
  'timings',
]);

/** A batch as sent: boot id and first sequence number, base time, defaults, strings, tuples. */
interface WireBatch {
  /** First observation's sequence number. */
  q: number;
  /** Base time (clock ms). */
  t: number;
  /** Address family shared by most observations. */
  fa?: number;
  /** String table (sites, addresses). */
  s: string[];
  o: unknown[][];
}

/** A batch read back: the observations with their sequence numbers. */
export interface DecodedBatch {
  seq: number;
  observations: Observation[];
}

/** Timings at 10 µs: enough for any threshold, half the digits of a float. */
const ms = (x: number | undefined) => (x === undefined ? null : Math.round(x * 100) / 100);

/**
 * Encode observations (of one vantage: the vantage is the subject's, not the message's) as one
 * batch whose first observation has sequence number `seq`.
 */
export function encodeBatch(seq: number, observations: readonly Observation[]): Uint8Array {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const str = (s: string | undefined): number => {
    if (s === undefined) return 0;
    let i = index.get(s);
    if (i === undefined) {
      i = strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const t0 = observations[0]?.time ?? 0;
  const fa = observations[0]?.family;
  const o: unknown[][] = [];
  for (const obs of observations) {
    const t = obs.timings;
    const row: unknown[] = [
      str(obs.site),
      kindIx.get(obs.kind) ?? 0,
      outcomeIx.get(obs.outcome) ?? 2,
      sigIx.get(obs.signature) ?? 0,
      obs.time - t0,
      ms(t.total),
      str(obs.address),
      obs.status ?? null,
      ms(t.dns),
      ms(t.connect),
      ms(t.tls),
      ms(t.ttfb),
    ];
    let rest: Record<string, unknown> | null = null;
    for (const k in obs) {
      if (FIXED.has(k)) continue;
      const v = (obs as unknown as Record<string, unknown>)[k];
      if (v === undefined || (k === 'family' && v === fa)) continue;
      rest ??= {};
      rest[k] = v;
    }
    // A value unknown to this version (a newer signature) would be lost as a number: keep the text.
    if (!kindIx.has(obs.kind) || !outcomeIx.has(obs.outcome) || !sigIx.has(obs.signature)) {
      rest ??= {};
      Object.assign(rest, { kind: obs.kind, outcome: obs.outcome, signature: obs.signature });
    }
    // Most observations of a batch carry the same extras (scheme, server header): said once, as a string.
    row.push(rest ? str(JSON.stringify(rest)) : null);
    while (row.length > 6 && row[row.length - 1] === null) row.pop();
    o.push(row);
  }
  const batch: WireBatch = { q: seq, t: t0, s: strings, o };
  if (fa !== undefined) batch.fa = fa;
  return new TextEncoder().encode(JSON.stringify(batch));
}

const decoder = new TextDecoder();

/**
 * Decode a batch, every observation given `vantage` (the subject's). Throws on a malformed batch:
 * the caller refuses the message.
 */
export function decodeBatch(data: Uint8Array, vantage: string): DecodedBatch {
  const b = JSON.parse(decoder.decode(data)) as WireBatch;
  if (
    typeof b !== 'object' ||
    b === null ||
    !Number.isSafeInteger(b.q) ||
    typeof b.t !== 'number' ||
    !Array.isArray(b.s) ||
    !Array.isArray(b.o)
  ) {
    throw new TypeError('not an observation batch');
  }
  const observations: Observation[] = [];
  const extras = new Map<number, Record<string, unknown>>();
  for (const row of b.o) {
    if (!Array.isArray(row) || row.length < 6) throw new TypeError('malformed observation in batch');
    const site = b.s[(row[0] as number) - 1];
    const kind = KINDS[row[1] as number];
    const outcome = OUTCOMES[row[2] as number];
    const signature = SIGNATURES[row[3] as number];
    if (typeof site !== 'string' || !kind || !outcome || !signature || typeof row[4] !== 'number') {
      throw new TypeError('malformed observation in batch');
    }
    const timings: Observation['timings'] = { total: (row[5] as number) ?? 0 };
    if (row[8] != null) timings.dns = row[8] as number;
    if (row[9] != null) timings.connect = row[9] as number;
    if (row[10] != null) timings.tls = row[10] as number;
    if (row[11] != null) timings.ttfb = row[11] as number;
    const obs: Observation = {
      site,
      vantage,
      time: b.t + (row[4] as number),
      kind,
      outcome,
      signature,
      timings,
    };
    if (b.fa !== undefined) obs.family = b.fa as 4 | 6;
    if (row[6]) obs.address = b.s[(row[6] as number) - 1];
    if (row[7] != null) obs.status = row[7] as number;
    const restIx = row[12] as number | null | undefined;
    let rest = restIx ? extras.get(restIx) : undefined;
    if (restIx && !rest) {
      rest = JSON.parse(b.s[restIx - 1]) as Record<string, unknown>;
      extras.set(restIx, rest);
    }
    if (rest && typeof rest === 'object') {
      for (const k in rest)
        if (k !== 'site' && k !== 'vantage' && k !== 'timings')
          (obs as never as Record<string, unknown>)[k] = rest[k];
    }
    observations.push(obs);
  }
  return { seq: b.q, observations };
}
