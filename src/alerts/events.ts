/**
 * The alert events an incident change causes: a pure function of the stored version (or none) and
 * the new one. Event ids are deterministic (`inc-3:opened`, `inc-3:restored:90`…), so deriving the
 * same change twice yields the same ids and the outbox keeps one.
 */
import type { Cause, Incident } from '../model/incident.ts';
import type { AlertEvent, AlertKind } from './types.ts';

export interface EventOptions {
  /** Restoration shares announced, ascending (default 0.5, 0.9). */
  milestones: readonly number[];
}

/**
 * 100 % is not a default milestone: the resolution follows once every site has stayed up for the
 * grace period, and says "100 % restored at HH:MM" itself.
 */
export const DEFAULT_MILESTONES: readonly number[] = [0.5, 0.9];

/**
 * Sizes announced as the incident grows (a 1-2-5 ladder): "now 500+ sites". A fixed ladder, not
 * "every new peak", so a growing incident makes a handful of events, not one per round.
 */
const LADDER = [10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];

/**
 * Identity of a cause, for "the cause changed". A provider's organisation name and AS number are
 * how it was recognised, not a different cause: filling them in later is no refinement to announce.
 */
export function causeKey(c: Cause): string {
  const named = c.provider === null ? [c.asn, c.name] : [];
  return [c.provider, ...named, c.region, c.plan, c.role, c.component].map((x) => x ?? '').join('|');
}

/** Share of the peak's failing sites restored, as of the incident's latest timeline point. */
export function restoredShare(i: Incident): number {
  if (i.resolvedAt !== null) return 1;
  return i.timeline.length ? i.timeline[i.timeline.length - 1].restored : 0;
}

/** Sites failing now (latest timeline point), or every affected site when there is no timeline. */
export function failingNow(i: Incident): number {
  return i.timeline.length ? i.timeline[i.timeline.length - 1].failing : i.affected.length;
}

/** Most sites failing at once so far. */
export function peakFailing(i: Incident): number {
  let peak = 0;
  for (const p of i.timeline) if (p.failing > peak) peak = p.failing;
  return Math.max(peak, i.timeline.length ? 0 : i.affected.length);
}

function latestTime(i: Incident): number {
  return i.timeline.length ? i.timeline[i.timeline.length - 1].time : i.detectedAt;
}

/**
 * The events `next` causes, given what was stored before (`prev`, null for a new incident).
 * Incidents reach the Bus once confirmed, so a first sighting opens it (crowd-report-only incidents
 * open as `reported`, an opt-in kind).
 */
export function alertEvents(
  prev: Incident | null,
  next: Incident,
  o: EventOptions = { milestones: DEFAULT_MILESTONES },
): AlertEvent[] {
  const out: AlertEvent[] = [];
  const add = (kind: AlertKind, suffix: string, at: number, value: number | null = null) =>
    out.push({ id: `${next.id}:${suffix}`, incidentId: next.id, kind, at, value, incident: next });

  const wasOpen = prev !== null && (prev.kind !== 'reported' || next.kind === 'reported');
  if (!wasOpen) {
    if (next.kind === 'reported') add('reported', 'reported', next.detectedAt);
    else add('opened', 'opened', prev ? latestTime(next) : next.detectedAt);
  } else if (causeKey(prev.cause) !== causeKey(next.cause)) {
    add('cause', `cause:${causeKey(next.cause)}`, latestTime(next));
  }

  if (prev !== null) {
    const before = Math.max(prev.affected.length, peakFailing(prev));
    const after = Math.max(next.affected.length, peakFailing(next));
    const rung = [...LADDER].reverse().find((r) => before < r && r <= after);
    if (rung !== undefined) add('peak', `peak:${rung}`, latestTime(next), rung);
  }

  if (prev !== null && prev.resolvedAt !== null && next.resolvedAt === null) {
    add('reopened', `reopened:${prev.resolvedAt}`, latestTime(next));
  }

  if (next.resolvedAt === null && prev !== null) {
    const r0 = prev && prev.resolvedAt === null ? restoredShare(prev) : 0;
    const r1 = restoredShare(next);
    // Everything back: the resolution follows (after the grace period) and says so; no update before it.
    const crossed = r1 >= 1 ? [] : o.milestones.filter((m) => r0 < m && m <= r1);
    const m = crossed[crossed.length - 1];
    if (m !== undefined) add('restoration', `restored:${Math.round(m * 100)}`, latestTime(next), m);
  } else if (next.resolvedAt !== null && (prev === null || prev.resolvedAt !== next.resolvedAt)) {
    add('resolved', `resolved:${next.resolvedAt}`, next.resolvedAt);
  }
  return out;
}
