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
    services: {
      type: 'object',
      description:
        'State of each service: web, dns, mail, and tls (the certificate, when checked apart from the web)',
      properties: { web: roleState, dns: roleState, mail: roleState, tls: roleState },
    },
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
    seenFrom: {
      type: 'array',
      description:
        'From where the failure is seen (one incident only, when vantage data exists): per vantage, affected sites whose confirmed failure it agreed on, sites it sees failing now, sites it has a result for',
      items: {
        type: 'object',
        properties: { vantage: str, confirmed: int, failing: int, probed: int },
      },
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

const VantageSummary = {
  $id: 'VantageSummary',
  type: 'object',
  required: ['vantage', 'kind', 'state', 'healthy'],
  properties: {
    vantage: str,
    kind: {
      type: 'string',
      enum: ['agent', 'local', 'self-check'],
      description:
        'agent: a `vigie agent` process over NATS; local: probes from the core’s own process; self-check: the monitor itself',
    },
    state: {
      type: 'string',
      enum: ['healthy', 'degraded', 'gone'],
      description:
        'degraded: its observations are implausible and do not count, or its agent skips probes, is late or backlogged; gone: its agent stopped heartbeating (its sites go to the others)',
    },
    healthy: { type: 'boolean', description: 'Its observations count in the consensus (vantage health)' },
    at: { ...int, description: 'Clock time of its latest health change (or observation)' },
    reason: str,
    lastHeartbeat: {
      ...nullable('integer'),
      description: 'Agents: real ms since the epoch of the last heartbeat',
    },
    heartbeatAgeMs: { ...nullable('integer'), description: 'Agents: real ms since the last heartbeat' },
    lastObservation: { ...nullable('integer'), description: 'Clock time of its latest observation' },
    probesPerS: {
      ...num,
      description: 'Probes per second (an agent’s heartbeat; else observations received)',
    },
    sites: { ...int, description: 'Sites it probes (an agent: assigned to it) or has a result for' },
    failing: { ...int, description: 'Sites it sees failing now (a service not up in its latest result)' },
  },
} as const;

const VantageResult = {
  $id: 'VantageResult',
  type: 'object',
  properties: {
    role: { type: 'string', enum: ['web', 'dns', 'mail', 'tls'] },
    outcome: { type: 'string', enum: ['up', 'degraded', 'down'] },
    signature: str,
    time: { ...int, description: 'Clock time of the probe' },
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
  VantageSummary,
  VantageResult,
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
