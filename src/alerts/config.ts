/**
 * The `alerts:` and `maintenance:` blocks of `vigie.yaml` (also accepted alone by
 * `vigie sim run --config FILE` and `vigie demo --config FILE`). Secrets come from the environment:
 * a value written `${NAME}`, or a setting `X_env: NAME` standing for `X`; a missing variable is an
 * error located at the setting. Resolved secrets live only in the returned config, never in
 * messages.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { formatPath, type PathSeg, parseYaml } from '../config/yaml.ts';
import { InputError, type InputProblem } from '../errors.ts';
import type { MaintenanceWindow } from '../store/types.ts';
import { CHANNELS } from './channels/index.ts';
import { DEFAULT_MILESTONES } from './events.ts';
import { ALERT_KINDS, type AlertsConfig, type ChannelKind, type Subscription } from './types.ts';

const list = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

/** JSON Schema of the `alerts:` block (channel settings are checked per kind afterwards). */
export const ALERTS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    update_interval: {
      type: ['string', 'number'],
      description: 'Shortest time between two updates (default 5m)',
    },
    milestones: { type: 'array', items: { type: 'number', exclusiveMinimum: 0, maximum: 100 } },
    channels: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9._-]{1,64}$' },
      additionalProperties: {
        type: 'object',
        required: ['kind'],
        properties: { kind: { enum: Object.keys(CHANNELS) } },
      },
    },
    subscriptions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['channel'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          channel: { type: 'string', minLength: 1 },
          providers: list,
          sites: list,
          tags: list,
          min_sites: { type: 'integer', minimum: 1 },
          kinds: { type: 'array', items: { enum: ALERT_KINDS } },
        },
      },
    },
  },
} as const;

/** JSON Schema of the `maintenance:` block: a list of windows. */
export const MAINTENANCE_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['start'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
      title: { type: 'string', minLength: 1 },
      start: { type: 'string', minLength: 1 },
      end: { type: 'string', minLength: 1 },
      duration: { type: ['string', 'number'] },
      sites: list,
      providers: list,
      tags: list,
    },
  },
} as const;

/** Reports a problem at a path of the document. */
export type At = (path: PathSeg[], message: string) => void;

const ENV_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
let ajv: Ajv2020 | undefined;
const validators = new Map<ChannelKind, ReturnType<Ajv2020['compile']>>();

function durationMs(v: unknown): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(v).trim());
  if (!m) return null;
  const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  return ms > 0 ? ms : null;
}

/** The empty configuration: no channel, no subscription. */
export const NO_ALERTS: AlertsConfig = {
  channels: [],
  subscriptions: [],
  updateIntervalMs: 300_000,
  milestones: [...DEFAULT_MILESTONES],
};

/**
 * Check the meaning of an `alerts:` block already valid against {@link ALERTS_SCHEMA}: channel
 * settings per kind, environment references, subscriptions naming a known channel.
 */
export function readAlerts(raw: unknown, at: At, env: NodeJS.ProcessEnv): AlertsConfig {
  if (raw === undefined || raw === null) return { ...NO_ALERTS };
  const block = raw as Record<string, unknown>;
  ajv ??= new Ajv2020({ allErrors: true, allowUnionTypes: true });
  const channels: AlertsConfig['channels'] = [];
  for (const [name, value] of Object.entries(
    (block.channels ?? {}) as Record<string, Record<string, unknown>>,
  )) {
    const kind = value.kind as ChannelKind;
    const settings: Record<string, unknown> = {};
    /** Settings whose environment variable is missing: already reported, not "missing" again. */
    const unset = new Set<string>();
    for (const [k, v] of Object.entries(value)) {
      if (k === 'kind') continue;
      const path: PathSeg[] = ['alerts', 'channels', name, k];
      if (k.endsWith('_env')) {
        const target = k.slice(0, -4);
        const val = typeof v === 'string' ? env[v] : undefined;
        if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v))
          at(path, 'expected an environment variable name');
        else if (val === undefined || val === '') {
          at(path, `environment variable ${v} is not set`);
          unset.add(target);
        } else settings[target] = val;
        continue;
      }
      const ref = typeof v === 'string' ? ENV_REF.exec(v) : null;
      if (ref) {
        const val = env[ref[1]];
        if (val === undefined || val === '') {
          at(path, `environment variable ${ref[1]} is not set`);
          unset.add(k);
        } else settings[k] = val;
      } else settings[k] = v;
    }
    let validate = validators.get(kind);
    if (!validate) {
      validate = ajv.compile(CHANNELS[kind].settingsSchema);
      validators.set(kind, validate);
    }
    if (!validate(settings)) {
      for (const e of validate.errors ?? []) {
        const field = e.instancePath.slice(1).split('/').filter(Boolean);
        const extra = (e.params as { additionalProperty?: string }).additionalProperty;
        const missing = (e.params as { missingProperty?: string }).missingProperty;
        if (missing && unset.has(missing)) continue;
        const seg = extra ?? missing;
        // A value never shows in the message: it may be a secret.
        at(
          ['alerts', 'channels', name, ...field, ...(seg ? [seg] : [])],
          extra
            ? `unknown setting for a ${kind} channel`
            : missing
              ? `missing setting of a ${kind} channel`
              : (e.message ?? 'invalid'),
        );
      }
    }
    channels.push({ name, kind, settings });
  }
  const names = new Set(channels.map((c) => c.name));
  const subscriptions: Subscription[] = ((block.subscriptions ?? []) as Record<string, unknown>[]).map(
    (s, i) => {
      const channel = String(s.channel);
      if (!names.has(channel))
        at(
          ['alerts', 'subscriptions', i, 'channel'],
          `no channel named ${channel}; channels: ${[...names].join(', ') || '(none)'}`,
        );
      return {
        name: typeof s.name === 'string' ? s.name : `${channel}#${i + 1}`,
        channel,
        providers: (s.providers as string[] | undefined) ?? [],
        sites: ((s.sites as string[] | undefined) ?? []).map((d) => d.toLowerCase()),
        tags: (s.tags as string[] | undefined) ?? [],
        minSites: (s.min_sites as number | undefined) ?? 1,
        kinds: (s.kinds as Subscription['kinds'] | undefined) ?? ALERT_KINDS.filter((k) => k !== 'reported'),
      };
    },
  );
  let updateIntervalMs = NO_ALERTS.updateIntervalMs;
  if (block.update_interval !== undefined) {
    const ms = durationMs(block.update_interval);
    if (ms === null) at(['alerts', 'update_interval'], 'expected a duration such as 5m');
    else updateIntervalMs = ms;
  }
  const milestones = block.milestones
    ? [...new Set((block.milestones as number[]).map((m) => m / 100))].sort((a, b) => a - b)
    : [...DEFAULT_MILESTONES];
  return { channels, subscriptions, updateIntervalMs, milestones };
}

/** Check a `maintenance:` block already valid against {@link MAINTENANCE_SCHEMA}. */
export function readMaintenance(raw: unknown, at: At, now = Date.now()): MaintenanceWindow[] {
  if (raw === undefined || raw === null) return [];
  return (raw as Record<string, unknown>[]).map((w, i) => {
    const path: PathSeg[] = ['maintenance', i];
    const startsAt = Date.parse(String(w.start));
    if (!Number.isFinite(startsAt) || !/^\d{4}-\d\d-\d\dT/.test(String(w.start)))
      at([...path, 'start'], 'expected an ISO 8601 date-time such as 2026-12-03T22:00:00Z');
    let endsAt = Number.NaN;
    if (w.end !== undefined) {
      endsAt = Date.parse(String(w.end));
      if (!Number.isFinite(endsAt)) at([...path, 'end'], 'expected an ISO 8601 date-time');
      else if (endsAt <= startsAt) at([...path, 'end'], 'must be after start');
    } else if (w.duration !== undefined) {
      const ms = durationMs(w.duration);
      if (ms === null) at([...path, 'duration'], 'expected a duration such as 2h');
      else endsAt = startsAt + ms;
    } else at(path, 'expected end or duration');
    const sites = ((w.sites as string[] | undefined) ?? []).map((d) => d.toLowerCase());
    const providers = (w.providers as string[] | undefined) ?? [];
    const tags = (w.tags as string[] | undefined) ?? [];
    if (sites.length + providers.length + tags.length === 0)
      at(path, 'expected at least one of sites, providers, tags');
    return {
      id: typeof w.id === 'string' ? w.id : `config-${i + 1}`,
      title: typeof w.title === 'string' ? w.title : 'Scheduled maintenance',
      startsAt,
      endsAt,
      sites,
      providers,
      tags,
      source: 'config' as const,
      createdAt: now,
    };
  });
}

/**
 * Read the `alerts:` and `maintenance:` blocks of a YAML file (other top-level keys are left to
 * their readers): what `vigie sim run --config FILE` and `vigie demo --config FILE` call. Throws
 * {@link InputError} (`file:line: field: message`, exit 2).
 */
export function loadAlertsFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): { alerts: AlertsConfig; maintenance: MaintenanceWindow[]; publicUrl: string | null } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError([
      { file, line: 1, field: 'file', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? e}` },
    ]);
  }
  const parsed = parseYaml(text, file);
  if (parsed.problems.length) throw new InputError(parsed.problems);
  const raw = (parsed.data ?? {}) as Record<string, unknown>;
  const problems: InputProblem[] = [];
  const at: At = (path, message) =>
    problems.push({ file, line: parsed.lineOf(path), field: formatPath(path), message });
  ajv ??= new Ajv2020({ allErrors: true, allowUnionTypes: true });
  for (const [field, schema] of [
    ['alerts', ALERTS_SCHEMA],
    ['maintenance', MAINTENANCE_SCHEMA],
  ] as const) {
    if (raw[field] === undefined) continue;
    const validate = ajv.compile(schema);
    if (validate(raw[field])) continue;
    for (const e of validate.errors ?? []) {
      const path: PathSeg[] = [
        field,
        ...e.instancePath
          .slice(1)
          .split('/')
          .filter(Boolean)
          .map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
      ];
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      at(extra ? [...path, extra] : path, extra ? 'unknown field' : (e.message ?? 'invalid'));
    }
  }
  if (problems.length) throw new InputError(problems);
  const alerts = readAlerts(raw.alerts, at, env);
  const maintenance = readMaintenance(raw.maintenance, at);
  if (problems.length) throw new InputError(problems.sort((a, b) => a.line - b.line));
  const publicUrl = typeof raw.public_url === 'string' ? raw.public_url : null;
  return { alerts, maintenance, publicUrl };
}

/** A channel's settings as the API shows them: secrets (and URLs carrying them) replaced. */
export function redactSettings(
  kind: ChannelKind,
  settings: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) {
    if (!CHANNELS[kind].secrets.includes(k)) out[k] = v;
    else if (k === 'url' && typeof v === 'string') {
      try {
        out[k] = `${new URL(v).origin}/…`;
      } catch {
        out[k] = '(hidden)';
      }
    } else out[k] = '(hidden)';
  }
  return out;
}
