/**
 * Vigie's state in the shapes of Atlassian Statuspage's public API (`/api/v2/*.json`), so that
 * existing status tooling (aggregators, chat bots, monitors of monitors) can read Vigie as they read
 * any vendor's status page. Components are the providers Vigie watches; incidents are Vigie's, with
 * their updates synthesised from the timeline (detected, cause identified, recovering, resolved).
 */
import { incidentUrl } from './public-url.ts';
import type { ComponentView, IncidentStatus, IncidentView, StatusSource } from './status/types.ts';

export interface PageInfo {
  id: string;
  name: string;
  /** The public base URL (see `public-url.ts`): every outward link starts with it. */
  url: string;
  timeZone: string;
}

export interface SpPage {
  id: string;
  name: string;
  url: string;
  time_zone: string;
  updated_at: string;
}

export interface SpComponent {
  id: string;
  name: string;
  status: ComponentView['state'];
  created_at: string;
  updated_at: string;
  position: number;
  description: string | null;
  showcase: boolean;
  start_date: string | null;
  group_id: string | null;
  page_id: string;
  group: boolean;
  only_show_if_degraded: boolean;
}

export interface SpIncidentUpdate {
  id: string;
  status: IncidentStatus;
  body: string;
  incident_id: string;
  created_at: string;
  updated_at: string;
  display_at: string;
  affected_components: { code: string; name: string; old_status: string; new_status: string }[] | null;
  deliver_notifications: boolean;
}

export interface SpIncident {
  id: string;
  name: string;
  status: IncidentStatus;
  impact: IncidentView['impact'];
  created_at: string;
  updated_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  started_at: string;
  shortlink: string;
  page_id: string;
  incident_updates: SpIncidentUpdate[];
  components: SpComponent[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function spPage(source: StatusSource, page: PageInfo): SpPage {
  return {
    id: page.id,
    name: page.name,
    url: page.url,
    time_zone: page.timeZone,
    updated_at: iso(source.updatedAt()),
  };
}

/** Providers, largest first: the components a status reader cares about. */
export function spComponents(source: StatusSource, page: PageInfo): SpComponent[] {
  const out: SpComponent[] = [];
  for (const c of source.components()) {
    if (c.kind !== 'provider') continue;
    out.push(spComponent(c, page, out.length + 1, source.updatedAt()));
  }
  return out;
}

function spComponent(c: ComponentView, page: PageInfo, position: number, updated: number): SpComponent {
  const failing = c.failing ? `; ${c.failing} failing now` : '';
  return {
    id: c.id,
    name: c.label,
    status: c.state,
    created_at: iso(c.firstSeen),
    updated_at: iso(updated),
    position,
    description: `${c.sites} monitored site${c.sites === 1 ? '' : 's'} depend on it${failing}`,
    showcase: true,
    start_date: null,
    group_id: null,
    page_id: page.id,
    group: false,
    only_show_if_degraded: false,
  };
}

/** The incident updates, newest first, synthesised from the lifecycle and the timeline. */
function updates(i: IncidentView): SpIncidentUpdate[] {
  const out: { status: IncidentStatus; at: number; body: string }[] = [];
  const first = i.timeline[0]?.failing ?? i.affected.length;
  out.push({
    status: 'investigating',
    at: i.detectedAt,
    body: `${first} monitored site${first === 1 ? '' : 's'} failing together (${i.signature}); investigating.`,
  });
  if (i.status !== 'investigating') {
    const evidence = i.evidence.slice(0, 2).join('; ');
    out.push({
      status: 'identified',
      at: i.acknowledged?.at ?? i.detectedAt,
      body: `Cause identified: ${i.name}.${evidence ? ` ${evidence}.` : ''}${i.acknowledged?.note ? ` ${i.acknowledged.note}` : ''}`,
    });
  }
  const recovering = i.timeline.find((p) => p.restored > 0);
  if (recovering) {
    out.push({
      status: 'monitoring',
      at: recovering.time,
      body:
        recovering.restored >= 1
          ? 'All affected sites answer again; watching before resolving.'
          : `Recovery under way: ${Math.round(recovering.restored * 100)} % of the failing sites restored.`,
    });
    const last = i.timeline[i.timeline.length - 1];
    if (i.resolvedAt === null && last !== recovering && last.restored > recovering.restored)
      out.push({
        status: 'monitoring',
        at: last.time,
        body:
          last.restored >= 1
            ? 'All affected sites answer again; watching before resolving.'
            : `${Math.round(last.restored * 100)} % restored.`,
      });
  }
  if (i.resolvedAt !== null)
    out.push({ status: 'resolved', at: i.resolvedAt, body: 'All affected sites answer again.' });
  return out
    .map((u, k) => ({
      id: `${i.id}-${k + 1}`,
      status: u.status,
      body: u.body,
      incident_id: i.id,
      created_at: iso(u.at),
      updated_at: iso(u.at),
      display_at: iso(u.at),
      affected_components: null,
      deliver_notifications: true,
    }))
    .reverse();
}

export function spIncident(i: IncidentView, source: StatusSource, page: PageInfo): SpIncident {
  const components: SpComponent[] = [];
  for (const id of i.components) {
    const c = source.component(id);
    if (c && c.kind === 'provider')
      components.push(spComponent(c, page, components.length + 1, source.updatedAt()));
  }
  const monitoring = i.timeline.find((p) => p.restored > 0);
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    impact: i.impact,
    created_at: iso(i.detectedAt),
    updated_at: iso(i.updatedAt),
    monitoring_at: monitoring ? iso(monitoring.time) : null,
    resolved_at: i.resolvedAt === null ? null : iso(i.resolvedAt),
    started_at: iso(i.startedAt),
    shortlink: incidentUrl(page.url, i.id),
    page_id: page.id,
    incident_updates: updates(i),
    components,
  };
}
