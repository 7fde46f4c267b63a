/**
 * Names on the NATS server, all derived from one deployment prefix so that several deployments
 * (and tests) share a server without touching each other's subjects, streams or buckets:
 *
 * | what | name |
 * |---|---|
 * | observations (agent → core), one message per batch | `<prefix>.obs.<vantage>.<boot>` in stream `<PREFIX>_OBS` |
 * | heartbeats (agent → core) | `<prefix>.hb.<vantage>` |
 * | assignments (core → agent), KV bucket, key per vantage | bucket `<prefix>_assign`, keys `<vantage>`, `<vantage>.<version>.<chunk>` |
 * | "your assignment changed" (core → agent) | `<prefix>.assign.<vantage>` |
 * | early re-probes (core → agent) | `<prefix>.reprobe.<vantage>` |
 *
 * Every subject an agent may use carries its vantage, so the server's per-user permissions can
 * confine an agent to its own (see the README, "Several vantage points").
 */

/** One subject token: letters, digits, `_` and `-` (no dots, no wildcards, no spaces). */
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** Throws a clear error unless `name` can be one subject token (a prefix or a vantage name). */
export function checkToken(what: string, name: string): string {
  if (!TOKEN.test(name)) {
    throw new RangeError(`${what} must be 1–64 letters, digits, '_' or '-' (got ${JSON.stringify(name)})`);
  }
  return name;
}

export class Names {
  constructor(readonly prefix = 'vigie') {
    checkToken('prefix', prefix);
  }
  get stream(): string {
    return `${this.prefix.toUpperCase()}_OBS`;
  }
  get bucket(): string {
    return `${this.prefix}_assign`;
  }
  /** Every observation subject (the stream's). */
  get allObservations(): string {
    return `${this.prefix}.obs.>`;
  }
  observations(vantage: string, boot: string): string {
    return `${this.prefix}.obs.${vantage}.${boot}`;
  }
  heartbeat(vantage: string): string {
    return `${this.prefix}.hb.${vantage}`;
  }
  get allHeartbeats(): string {
    return `${this.prefix}.hb.*`;
  }
  assignNotice(vantage: string): string {
    return `${this.prefix}.assign.${vantage}`;
  }
  reprobe(vantage: string): string {
    return `${this.prefix}.reprobe.${vantage}`;
  }
  /** The vantage and boot of an observation subject, or null when it is not one. */
  parseObservations(subject: string): { vantage: string; boot: string } | null {
    const p = subject.split('.');
    if (p.length !== 4 || p[0] !== this.prefix || p[1] !== 'obs') return null;
    return { vantage: p[2], boot: p[3] };
  }
}
