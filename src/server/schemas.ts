/**
 * JSON Schemas shared by the routes: they validate input, speed up output, and are what
 * `/openapi.json` publishes. Each is registered once by `$id` and referenced as `{ $ref: 'Id#' }`.
 */

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const nullable = (t: string) => ({ type: [t, 'null'] }) as const;
const ref = (id: string) => ({ $ref: `${id}#` }) as const;

export const siteState = { type: 'string', enum: ['up', 'degraded', 'down', 'unknown'] } as const;
const componentState = {
  type: 'string',
  enum: ['operational', 'degraded_performance', 'partial_outage', 'major_outage'],
} as const;
const incidentStatus = {
  type: 'string',
  enum: ['investigating', 'identified', 'monitoring', 'resolved'],
} as const;
const impact = { type: 'string', enum: ['none', 'minor', 'major', 'critical'] } as const;

const roleState = {
  type: 'object',
  properties: { state: siteState, since: nullable('integer'), signature: str },
} as const;

const SiteView = {
  $id: 'SiteView',
  type: 'object',
  required: ['domain', 'state'],
  properties: {
    domain: str,
    mail: { type: 'boolean' },
    weight: num,
    tags: { type: 'array', items: str },
    state: siteState,
    since: nullable('integer'),
    signature: str,
    services: { type: 'object', properties: { web: roleState, dns: roleState, mail: roleState } },
  },
} as const;

const ComponentView = {
  $id: 'ComponentView',
  type: 'object',
  required: ['id', 'kind', 'label', 'state'],
  properties: {
    id: str,
    kind: str,
    label: str,
    provider: str,
    asn: int,
    org: str,
    region: str,
    address: str,
    state: componentState,
    sites: int,
    failing: int,
    firstSeen: int,
    incidents: { type: 'array', items: str },
    exonerations: {
      type: 'array',
      items: { type: 'object', properties: { incident: str, evidence: str } },
    },
  },
} as const;

const IncidentView = {
  $id: 'IncidentView',
  type: 'object',
  required: ['id', 'name', 'status', 'impact'],
  properties: {
    id: str,
    name: str,
    status: incidentStatus,
    phase: {
      type: 'string',
      enum: ['investigating', 'identified', 'recovering', 'recovered', 'resolved'],
      description: 'Shown phase: monitoring split into recovering (some sites back) and recovered (all back)',
    },
    impact,
    kind: str,
    signature: str,
    confidence: num,
    cause: { type: 'object', additionalProperties: true },
    components: { type: 'array', items: str },
    startedAt: int,
    detectedAt: int,
    peakAt: nullable('integer'),
    resolvedAt: nullable('integer'),
    updatedAt: int,
    restored: num,
    affected: { type: 'array', items: str },
    evidence: { type: 'array', items: str },
    exonerated: {
      type: 'array',
      items: { type: 'object', properties: { provider: str, evidence: str } },
    },
    timeline: {
      type: 'array',
      items: { type: 'object', properties: { time: int, failing: int, restored: num } },
    },
    acknowledged: {
      anyOf: [{ type: 'null' }, { type: 'object', properties: { at: int, note: str } }],
    },
    /** Crowd reports about the affected sites per minute, with the peak (when the pipeline has them). */
    reports: {
      type: 'object',
      properties: {
        from: int,
        stepMs: int,
        counts: { type: 'array', items: int },
        total: int,
        peakAt: nullable('integer'),
        peak: int,
        problems: { type: 'object', additionalProperties: int },
      },
    },
  },
} as const;

const SpPage = {
  $id: 'SpPage',
  type: 'object',
  properties: { id: str, name: str, url: str, time_zone: str, updated_at: str },
} as const;

const SpStatus = {
  $id: 'SpStatus',
  type: 'object',
  properties: { indicator: impact, description: str },
} as const;

const SpComponent = {
  $id: 'SpComponent',
  type: 'object',
  properties: {
    id: str,
    name: str,
    status: componentState,
    created_at: str,
    updated_at: str,
    position: int,
    description: nullable('string'),
    showcase: { type: 'boolean' },
    start_date: nullable('string'),
    group_id: nullable('string'),
    page_id: str,
    group: { type: 'boolean' },
    only_show_if_degraded: { type: 'boolean' },
  },
} as const;

const SpIncident = {
  $id: 'SpIncident',
  type: 'object',
  properties: {
    id: str,
    name: str,
    status: incidentStatus,
    impact,
    created_at: str,
    updated_at: str,
    monitoring_at: nullable('string'),
    resolved_at: nullable('string'),
    started_at: str,
    shortlink: str,
    page_id: str,
    incident_updates: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: str,
          status: incidentStatus,
          body: str,
          incident_id: str,
          created_at: str,
          updated_at: str,
          display_at: str,
          affected_components: nullable('array'),
          deliver_notifications: { type: 'boolean' },
        },
      },
    },
    components: { type: 'array', items: ref('SpComponent') },
  },
} as const;

/** Every shared schema, in dependency order. */
export const SHARED_SCHEMAS = [
  SiteView,
  ComponentView,
  IncidentView,
  SpPage,
  SpStatus,
  SpComponent,
  SpIncident,
];

export { ref };

/** Common query parameters for paginated lists. */
export const pageQuery = {
  offset: { type: 'integer', minimum: 0, default: 0 },
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
} as const;

/** Error responses a public route may answer. */
export const publicErrors = { 400: ref('Error'), 429: ref('Error') } as const;
/** …and a route needing the token. */
export const writeErrors = { 400: ref('Error'), 401: ref('Error'), 429: ref('Error') } as const;
