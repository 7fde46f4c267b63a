/**
 * What the pipeline concluded, in the shape every run is scored and archived in — `vigie sim run
 * --json` and `vigie incidents --json` alike (docs/evaluation): incidents with their cause: incidents with their cause, kind,
 * signature, confidence, timeline instants as ISO 8601 with the scenario zone's offset, affected
 * sites and exonerations; the probe count, the number of sites and the speed.
 */
import { zoneOffsetMs } from '../clock/zone.ts';
import type { Cause, Exoneration, Incident, IncidentKind } from '../model/incident.ts';

export interface IncidentOut {
  id: string;
  cause: Cause;
  kind: IncidentKind;
  signature: string;
  confidence: number;
  startedAt: string;
  detectedAt: string;
  peakAt: string | null;
  resolvedAt: string | null;
  affected: string[];
  exonerated: Exoneration[];
  evidence: string[];
  timeline: { time: string; failing: number; restored: number }[];
}

export interface RunOutput {
  scenario: string;
  title: string;
  speed: number;
  sites: number;
  probes: number;
  incidents: IncidentOut[];
  /** A baseline method's incidents on the same observations (`vigie sim run --baseline score`). */
  baseline?: { method: string; incidents: IncidentOut[] };
  /** How the run went on this machine (not part of the analysis). */
  run?: Record<string, unknown>;
  score?: unknown;
}

/** `t` (ms since the epoch) as ISO 8601 in `zone`, with its offset: 2021-10-13T09:12:40+02:00. */
export function isoInZone(t: number, zone: string): string {
  const off = zoneOffsetMs(zone, t);
  const local = new Date(Math.round(t) + off).toISOString().slice(0, 19);
  const sign = off < 0 ? '-' : '+';
  const m = Math.abs(off) / 60_000;
  const p = (n: number) => String(Math.floor(n)).padStart(2, '0');
  return `${local}${sign}${p(m / 60)}:${p(m % 60)}`;
}

/** Incidents, in the contract's shape. Timelines are thinned to at most `maxPoints` points. */
export function formatIncidents(
  incidents: readonly Incident[],
  zone: string,
  maxPoints = 200,
): IncidentOut[] {
  const iso = (t: number) => isoInZone(t, zone);
  return incidents.map((i) => {
    const step = Math.max(1, Math.ceil(i.timeline.length / maxPoints));
    return {
      id: i.id,
      cause: i.cause,
      kind: i.kind,
      signature: i.signature,
      confidence: i.confidence,
      startedAt: iso(i.startedAt),
      detectedAt: iso(i.detectedAt),
      peakAt: i.peakAt === null ? null : iso(i.peakAt),
      resolvedAt: i.resolvedAt === null ? null : iso(i.resolvedAt),
      affected: i.affected,
      exonerated: i.exonerated,
      evidence: i.evidence,
      timeline: i.timeline
        .filter((_, k) => k % step === 0 || k === i.timeline.length - 1)
        .map((p) => ({ time: iso(p.time), failing: p.failing, restored: p.restored })),
    };
  });
}
