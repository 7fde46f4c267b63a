/**
 * Which vantages probe which site, and when. Each site goes to `k` vantages among those alive, by
 * rendezvous hashing (highest random weight): the choice depends only on the site and the set of
 * vantages, every core computes the same one, and when a vantage leaves only its sites move (each
 * to the next vantage in that site's own order) — when it comes back, they move back. A site's
 * vantages probe it at staggered phases: slot j of k starts j/k of an interval after slot 0, so a
 * failure seen from one place is re-checked from another within interval/k.
 */
import type { ProbeKind } from '../model/observation.ts';

/** One site as an agent probes it. */
export interface AssignedSite {
  /** Domain. */
  d: string;
  /** Probe kinds (absent: http). */
  k?: ProbeKind[];
  /** Over HTTPS. */
  s?: 1;
  /** Slot among the site's vantages: starts `slot / slots` of an interval after slot 0. */
  p: number;
}

/** How an agent probes: everything the core decides (the agent decides its resolver, source and CA). */
export interface ProbeSettings {
  /** Interval between probes of one site, clock ms. */
  intervalMs: number;
  /** Deadline of one probe, clock ms. */
  timeoutMs: number;
  /** Clock ms beyond which a success is slow. */
  slowMs: number;
  /** Number of slots an interval is divided in (the most vantages a site has). */
  slots: number;
  /** Real ms between heartbeats. */
  heartbeatMs: number;
  /** Probes in flight at most. */
  concurrency: number;
}

/** The manifest stored under the vantage's key: settings and where its sites are. */
export interface AssignmentManifest extends ProbeSettings {
  /** Increases with every change; chunk keys carry it. */
  version: number;
  /** Number of chunks (`<vantage>.<version>.<i>`). */
  chunks: number;
  sites: number;
}

/** 32-bit FNV-1a of a string, then mixed (rendezvous weights must look independent per vantage). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The `k` vantages of `site` among `vantages` (fewer when there are fewer), in slot order: the
 * highest weights first. `seeds` are the vantages' precomputed hashes (same order as `vantages`).
 */
export function vantagesOf(
  site: string,
  vantages: readonly string[],
  k: number,
  seeds?: readonly number[],
): string[] {
  const n = Math.min(k, vantages.length);
  if (n === 0) return [];
  const hs = hash32(site);
  const best: { v: string; w: number }[] = [];
  for (let i = 0; i < vantages.length; i++) {
    const seed = seeds ? seeds[i] : hash32(vantages[i]);
    // Mix the two hashes: cheap, and independent enough across vantages for an even spread.
    let w = Math.imul(hs ^ seed, 0x9e3779b1);
    w ^= w >>> 15;
    w = Math.imul(w, 0x85ebca6b);
    w ^= w >>> 13;
    w >>>= 0;
    if (best.length < n || w > best[best.length - 1].w) {
      if (best.length === n) best.pop();
      let j = best.length;
      while (j > 0 && best[j - 1].w < w) j--;
      best.splice(j, 0, { v: vantages[i], w });
    }
  }
  return best.map((b) => b.v);
}

/** A site to assign: its domain, kinds and scheme. */
export interface SiteSpec {
  domain: string;
  kinds?: ProbeKind[];
  secure?: boolean;
}

/** Every alive vantage's sites (vantages with none get an empty list). */
export function assignSites(
  sites: Iterable<SiteSpec>,
  alive: readonly string[],
  k: number,
): Map<string, AssignedSite[]> {
  const out = new Map<string, AssignedSite[]>(alive.map((v) => [v, []]));
  const seeds = alive.map(hash32);
  for (const s of sites) {
    const vs = vantagesOf(s.domain, alive, k, seeds);
    for (let p = 0; p < vs.length; p++) {
      const a: AssignedSite = { d: s.domain, p };
      if (s.kinds && !(s.kinds.length === 1 && s.kinds[0] === 'http')) a.k = s.kinds;
      if (s.secure) a.s = 1;
      out.get(vs[p])!.push(a);
    }
  }
  return out;
}

/** Split a vantage's sites into chunks that fit a NATS message (default ≈ 256 KiB of JSON each). */
export function chunkSites(sites: readonly AssignedSite[], maxBytes = 256 * 1024): Uint8Array[] {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let part: string[] = [];
  let bytes = 2;
  const flush = () => {
    chunks.push(enc.encode(`[${part.join(',')}]`));
    part = [];
    bytes = 2;
  };
  for (const s of sites) {
    const j = JSON.stringify(s);
    if (part.length && bytes + j.length + 1 > maxBytes) flush();
    part.push(j);
    bytes += j.length + 1;
  }
  if (part.length || chunks.length === 0) flush();
  return chunks;
}
