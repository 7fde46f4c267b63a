/**
 * How to reach a world: the description a simulated world writes (`world.json`) and the files a real
 * deployment also has — a resolver, an IP-to-AS table, provider range files, a CA to trust — plus
 * its clock. The pipeline reads only this, never the world's faults.
 */
export interface WorldInfo {
  scenario: string;
  title: string;
  /** The resolver clients should use. */
  resolver: { address: string; port: number };
  ports: { dns: number; http: number; https: number; smtp: number; control: number };
  control: string;
  /** Root CA to trust, PEM file. */
  caFile: string;
  /** IP-to-AS table, CSV (start,end,asn,organisation). */
  asnDb: string;
  /** Directory of per-region range files, with an index.json. */
  rangesDir: string;
  /** The simulated clock: sim = origin + (realNow − anchor) × speed. */
  clock: { origin: number; anchor: number; speed: number; start: number; end: number; timezone: string };
  probeIntervalMs: number;
  vantages: { id: string; address: string }[];
  stateDir: string;
  pid: number;
}
