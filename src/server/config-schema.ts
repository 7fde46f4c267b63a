/** JSON Schema (draft 2020-12) of `vigie.yaml`, the server's configuration. */
import { ALERTS_SCHEMA, MAINTENANCE_SCHEMA } from '../alerts/config.ts';

/**
 * Longest value of each duration field, ms (also checked for the string forms, in config.ts). Timers
 * cannot wait longer than 24.8 days, and nobody probes once a month.
 */
export const DURATION_BOUNDS = {
  interval: { maxMs: 86_400_000, text: '24h' },
  timeout: { maxMs: 600_000, text: '10m' },
  remap_every: { maxMs: 20 * 86_400_000, text: '480h (20 days)' },
  'rate_limit.window': { maxMs: 86_400_000, text: '24h' },
} as const;

/** A duration field: `60s`, `5m`, `1h`, `250ms`, or a number of seconds; at most `max`. */
const duration = (field: keyof typeof DURATION_BOUNDS, description: string) => ({
  type: ['string', 'number'],
  minimum: 0,
  maximum: DURATION_BOUNDS[field].maxMs / 1000,
  description: `${description}; at most ${DURATION_BOUNDS[field].text}`,
});
const site = {
  anyOf: [
    { type: ['string', 'number'], minLength: 1 },
    {
      type: 'object',
      required: ['domain'],
      additionalProperties: false,
      properties: {
        domain: { type: 'string', minLength: 1 },
        mail: { type: 'boolean' },
        weight: { type: 'number', minimum: 0 },
        tags: { type: 'array', items: { type: 'string' } },
      },
    },
  ],
};

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, description: 'Name of the status page' },
    public_url: {
      type: 'string',
      pattern: '^https?://',
      description: 'Where the API is reached (feeds, shortlinks)',
    },
    sites: { type: 'array', items: site },
    sites_file: { type: 'string', minLength: 1, description: 'A list file, one domain per line, # comments' },
    resolver: { type: 'string', minLength: 1, description: 'DNS resolver ADDRESS[:PORT]' },
    vantage: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'Name of this vantage point' },
    store: { type: 'string', minLength: 1, description: 'sqlite:PATH (default) or postgres://…' },
    listen: { type: 'string', minLength: 1, description: 'HOST:PORT to listen on' },
    token_hash: { type: 'string', minLength: 1, description: 'Output of vigie serve --hash-token' },
    allow_private: { type: 'boolean', description: 'Probe private, loopback and link-local targets' },
    world: { type: 'string', minLength: 1, description: 'Simulation: a world directory (world.json)' },
    interval: duration('interval', 'Probe interval per site (e.g. 60s)'),
    timeout: duration('timeout', 'Deadline of one probe (e.g. 10s)'),
    https: {
      type: 'boolean',
      description:
        'Probe the web over HTTPS (true) or HTTP (false); default: HTTPS where the map found a certificate on port 443',
    },
    mail: { type: 'boolean', description: 'Probe mail (SMTP) where the map finds an MX (default true)' },
    remap_every: duration(
      'remap_every',
      'Map every site again this often, to notice moves to another CDN or host (default 6h; 0: never)',
    ),
    asn_db: {
      type: 'string',
      minLength: 1,
      description: 'IP-to-AS CSV (start,end,asn,organisation); default: the bundled database',
    },
    ranges_dir: {
      type: 'string',
      minLength: 1,
      description:
        'Directory of provider range files (AWS ip-ranges.json, Google cloud.json, Azure service tags, RFC 8805 geofeeds) for regions',
    },
    declarations: {
      type: 'string',
      minLength: 1,
      description:
        'What the operators declare (origins behind CDNs, hidden shared components): a YAML/JSON file',
    },
    bus: {
      type: 'string',
      pattern: '^nats://',
      description:
        'Probe from `vigie agent` processes over NATS JetStream at this URL instead of from this process',
    },
    agents: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
      description: 'The vantages (agent names) allowed to send observations',
    },
    agents_per_site: {
      type: 'integer',
      minimum: 1,
      maximum: 16,
      description: 'Vantages probing each site (default 3)',
    },
    nats_prefix: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]{1,32}$',
      description: 'Subjects, stream and bucket prefix (default vigie)',
    },
    nats_creds: { type: 'string', minLength: 1, description: 'NATS .creds file of the core' },
    nats_nkey: { type: 'string', minLength: 1, description: 'File holding the core’s NATS nkey seed' },
    rate_limit: {
      anyOf: [
        { const: false },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            max: { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'Requests per window' },
            window: duration('rate_limit.window', 'The window (default 1m)'),
          },
        },
      ],
    },
    alerts: {
      ...ALERTS_SCHEMA,
      description: 'Alert channels and subscriptions (README: Alerts and maintenance)',
    },
    maintenance: { ...MAINTENANCE_SCHEMA, description: 'Maintenance windows: no incident, no alert' },
  },
} as const;
