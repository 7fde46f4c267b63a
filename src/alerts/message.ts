/**
 * Alert messages in words: one title line ("OVHcloud (AS16276) stopped answering — 950 of your
 * sites; Cloudflare cleared") and a few lines of detail, the same for every channel. Channels only
 * lay them out (and escape them: every string here may come from user input — site names,
 * provider names, evidence).
 */
import { loadCatalog } from '../catalog/load.ts';
import type { Incident, IncidentKind } from '../model/incident.ts';
import { failingNow, peakFailing, restoredShare } from './events.ts';
import type { AlertEvent, AlertKind, AlertMessage } from './types.ts';

const VERB: Record<IncidentKind, string> = {
  network: 'stopped answering',
  http: 'answers with errors',
  dns: 'DNS stopped answering',
  tls: 'TLS handshakes fail',
  overload: 'is overloaded',
  mail: 'mail stopped working',
  reported: 'reported down by users (probes see no failure)',
};

/** A provider id's display name (catalog name, else the id). */
export type ProviderName = (id: string) => string;

/** Names from the shipped provider catalog. */
export function catalogProviderName(): ProviderName {
  const catalog = loadCatalog();
  return (id) => catalog.get(id)?.name ?? id;
}

export interface RenderOptions {
  /**
   * Base of the public URL; the incident page is `${publicUrl}/#/incident/${id}`. A function when
   * it is known only once the server listens (read at every message).
   */
  publicUrl: string | (() => string);
  /** IANA zone times are written in (default Etc/UTC). */
  timeZone?: string;
  providerName?: ProviderName;
}

/** Link to an incident's page. */
export function incidentUrl(publicUrl: string, id: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/#/incident/${encodeURIComponent(id)}`;
}

/** "OVHcloud (AS16276)", "OVHcloud (AS16276), region sbg, hosting", "site shop.example". */
export function causeLabel(i: Incident, providerName: ProviderName = (id) => id): string {
  const c = i.cause;
  if (c.component?.startsWith('site:') && !c.provider) return `site ${c.component.slice(5)}`;
  let who = c.provider ? providerName(c.provider) : (c.name ?? (c.asn !== null ? `AS${c.asn}` : null));
  if (who && c.asn !== null && c.provider) who += ` (AS${c.asn})`;
  const parts = [who ?? c.component ?? 'an unidentified cause'];
  if (c.region) parts.push(`region ${c.region}`);
  if (c.plan) parts.push(`${c.plan} plan`);
  if (c.role) parts.push(c.role);
  if (c.component && c.provider && !c.component.startsWith('site:')) parts.push(c.component);
  return parts.join(', ');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function clock(t: number, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(t));
}

/**
 * Render an event (the latest of those merged) for one channel. `sites` is how many of the
 * incident's sites the channel's subscriptions select ("950 of your sites").
 */
export function renderMessage(
  e: AlertEvent,
  ctx: { first: boolean; merged: string[]; sites: number; test?: boolean },
  o: RenderOptions,
): AlertMessage {
  const i = e.incident;
  const zone = o.timeZone ?? 'Etc/UTC';
  const name = o.providerName ?? ((id: string) => id);
  const who = causeLabel(i, name);
  const yours = `${ctx.sites} of your site${ctx.sites === 1 ? '' : 's'}`;
  const cleared = i.exonerated.length
    ? `; ${[...new Set(i.exonerated.map((x) => name(x.provider)))].join(', ')} cleared`
    : '';
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  const opening = `${who} ${VERB[i.kind]} — ${yours}${cleared}`;
  const phrase: Record<AlertKind, () => string> = {
    opened: () => opening,
    reported: () => opening,
    cause: () => `cause refined: ${who} — ${yours}${cleared}`,
    peak: () => `now ${plural(peakFailing(i), 'site')} failing at once`,
    restoration: () => `${pct(restoredShare(i))} restored at ${clock(e.at, zone)}`,
    reopened: () => `failing again — ${plural(failingNow(i), 'site')}`,
    resolved: () => `resolved, 100 % restored at ${clock(i.resolvedAt ?? e.at, zone)}`,
  };
  // An update that carries a merged cause change says so first.
  const causeMerged = ctx.merged.some((id) => id.startsWith(`${e.incidentId}:cause:`));
  let title: string;
  if (e.kind === 'opened' || e.kind === 'reported' || e.kind === 'cause') title = phrase[e.kind]();
  else if (ctx.first) title = `${opening}; ${phrase[e.kind]()}`;
  else if (causeMerged) title = `${phrase.cause()}; ${phrase[e.kind]()}`;
  else title = `${who}: ${phrase[e.kind]()}`;
  if (ctx.test) title = `Test message from Vigie — ${title}`;

  const lines = [
    `Cause: ${who} (${i.signature}), confidence ${pct(i.confidence)}`,
    `Sites: ${yours}; ${plural(i.affected.length, 'site')} affected in all, peak ${peakFailing(i)}` +
      (i.resolvedAt === null ? `, ${failingNow(i)} failing now` : ''),
    `Started ${clock(i.startedAt, zone)}, detected ${clock(i.detectedAt, zone)}` +
      (i.resolvedAt !== null
        ? `, resolved ${clock(i.resolvedAt, zone)} (${Math.round((i.resolvedAt - i.startedAt) / 60_000)} min)`
        : `, ${pct(restoredShare(i))} restored`),
  ];
  if (i.exonerated.length)
    lines.push(`Cleared: ${i.exonerated.map((x) => `${name(x.provider)} (${x.evidence})`).join('; ')}`);
  for (const ev of i.evidence.slice(0, 3)) lines.push(`Evidence: ${ev}`);
  if (ctx.merged.length) lines.push(`(${plural(ctx.merged.length, 'earlier update')} merged into this one)`);
  return {
    eventId: e.id,
    incidentId: e.incidentId,
    kind: e.kind,
    merged: ctx.merged,
    first: ctx.first,
    title,
    lines,
    url: incidentUrl(typeof o.publicUrl === 'function' ? o.publicUrl() : o.publicUrl, i.id),
    at: e.at,
    incident: i,
    ...(ctx.test ? { test: true } : {}),
  };
}

/** Escape text for HTML (element content and double-quoted attributes). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Escape text for Slack mrkdwn: `&`, `<`, `>` are the only control characters Slack asks to
 * escape (they would otherwise form links and mentions such as `<!channel>`).
 */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
