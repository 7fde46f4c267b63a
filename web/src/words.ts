/**
 * Plain words for a reader who is not an engineer: what a failure signature looks like from outside,
 * what a cause is, and times on the pipeline's clock (simulated during a replay) in the page's time
 * zone.
 */
import type { IncidentView } from './api.ts';

const SIGNATURES: Record<string, string> = {
  ok: 'answering normally',
  nxdomain: 'its name does not exist any more (DNS NXDOMAIN)',
  servfail: 'its DNS servers answer with errors (SERVFAIL)',
  dns_timeout: 'its DNS servers do not answer',
  refused: 'its server refuses connections',
  connect_timeout: 'its server does not answer (connection timed out)',
  reset: 'connections are cut (reset)',
  tls_error: 'the secure connection fails (TLS error)',
  tls_expired: 'its certificate has expired',
  http_4xx: 'it answers with a client error (HTTP 4xx)',
  http_5xx: 'it answers with a server error (HTTP 5xx)',
  cdn_error: 'its CDN answers with an error page',
  read_timeout: 'it accepts connections but never answers',
  slow: 'it answers very slowly',
  smtp_4xx: 'its mail server turns mail away for now (SMTP 4xx)',
  smtp_5xx: 'its mail server refuses mail (SMTP 5xx)',
  probe_error: 'could not be checked (a problem on Vigie’s side, not the site’s)',
};

/** "its server does not answer (connection timed out)". */
export function signatureWords(signature: string | undefined): string {
  if (!signature) return 'not checked yet';
  return SIGNATURES[signature] ?? signature.replace(/_/g, ' ');
}

const SERVICES: Record<string, string> = { tls: 'certificate' };

/** A site's service, in words: `tls` (the certificate checked apart from the web) is "certificate". */
export function serviceWords(role: string): string {
  return SERVICES[role] ?? role;
}

const STATES: Record<string, string> = {
  up: 'Up',
  degraded: 'Degraded',
  down: 'Down',
  unknown: 'Not checked yet',
  operational: 'Operational',
  degraded_performance: 'Slow',
  partial_outage: 'Partly down',
  major_outage: 'Down',
};

export function stateWords(state: string): string {
  return STATES[state] ?? state;
}

export function stateTone(state: string): 'ok' | 'warn' | 'bad' | 'muted' {
  if (state === 'up' || state === 'operational') return 'ok';
  if (state === 'down' || state === 'major_outage') return 'bad';
  if (state === 'unknown') return 'muted';
  return 'warn';
}

const KIND: Record<string, string> = {
  network: 'stopped answering on the network',
  http: 'is answering with errors',
  dns: 'has a DNS failure',
  tls: 'has a certificate or TLS failure',
  overload: 'is overloaded (slow answers, waiting queues)',
  mail: 'has a mail outage',
  reported: 'is reported down by its users (crowd reports only)',
};

const ROLE: Record<string, string> = {
  hosting: 'hosting',
  dns: 'DNS service',
  mail: 'mail service',
  cdn: 'CDN',
  platform: 'platform',
};

/** Who is blamed, in words: "OVH SAS (AS16276), region sbg, shared hosting". */
export function causeWho(i: IncidentView): string {
  const c = i.cause;
  if (c.component?.startsWith('site:')) return `the site ${c.component.slice(5)} itself`;
  const parts: string[] = [];
  const name =
    c.name ?? c.provider ?? (c.asn !== null ? `AS${c.asn}` : (c.component ?? 'an unknown component'));
  parts.push(c.asn !== null && c.name ? `${name} (AS${c.asn})` : name);
  if (c.region) parts.push(`region ${c.region}`);
  if (c.plan) parts.push(`${c.plan} hosting`);
  if (c.role) parts.push(ROLE[c.role] ?? c.role);
  if (c.component && (c.provider || c.name)) parts.push(c.component);
  return parts.join(', ');
}

/** "OVH SAS (AS16276) stopped answering on the network." */
export function causeSentence(i: IncidentView): string {
  return `${capitalise(causeWho(i))} ${KIND[i.kind] ?? i.kind}.`;
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function percent(x: number, digits = 0): string {
  return `${(x * 100).toFixed(digits)} %`;
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** Statuspage's lifecycle and the phases the server derives from it (`IncidentView.phase`). */
const STATUS: Record<string, string> = {
  investigating: 'Investigating',
  identified: 'Cause identified',
  monitoring: 'Recovering',
  recovering: 'Recovering',
  // Every site answers again; the incident stays open a grace period to confirm.
  recovered: 'All sites back, confirming',
  resolved: 'Resolved',
};

export function statusWords(status: string): string {
  return STATUS[status] ?? status;
}

/** Times in the page's time zone; set once from the server. */
let zone = 'UTC';

export function setTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    zone = tz === 'Etc/UTC' ? 'UTC' : tz;
  } catch {
    zone = 'UTC';
  }
}

export function timeZone(): string {
  return zone;
}

/** "13 Oct 2021, 09:12 CEST". */
export function when(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(ms);
}

/** "09:12". */
export function clock(ms: number): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(ms);
}

/** "1 h 05 min", "14 min", "under a minute". */
export function duration(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min < 1) return 'under a minute';
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 48) return `${hours} h ${String(min % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}

/** An ISO timestamp for `<time datetime>`. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
