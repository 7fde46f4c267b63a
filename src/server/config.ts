/**
 * `vigie serve --config vigie.yaml`: the server's configuration, parsed once at the edge. YAML with
 * positions (every problem is `file:line: field: message`, exit 2), validated by a JSON Schema, then
 * checked for meaning (listen address, store URL, token hash, resolver, durations, site names).
 * Environment variables override the file (VIGIE_STORE, VIGIE_LISTEN, VIGIE_TOKEN_HASH,
 * VIGIE_RESOLVER, VIGIE_VANTAGE, VIGIE_ALLOW_PRIVATE, VIGIE_PUBLIC_URL, VIGIE_WORLD).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readAlerts, readMaintenance } from '../alerts/config.ts';
import type { AlertsConfig } from '../alerts/types.ts';
import { formatPath, type PathSeg, parseYaml } from '../config/yaml.ts';
import { parseServer } from '../dns/resolv-conf.ts';
import type { DnsServer } from '../dns/types.ts';
import { InputError, type InputProblem } from '../errors.ts';
import type { Site } from '../model/site.ts';
import { checkHost, TargetPolicy } from '../net/address-policy.ts';
import { DEFAULT_STORE_URL, parseStoreUrl } from '../store/index.ts';
import type { MaintenanceWindow } from '../store/types.ts';
import { isTokenHash } from './auth.ts';
import { CONFIG_SCHEMA, DURATION_BOUNDS } from './config-schema.ts';
import { normalizePublicUrl } from './public-url.ts';

export interface ServeConfig {
  sites: Site[];
  resolver: DnsServer | null;
  vantage: string;
  store: string;
  listen: { host: string; port: number };
  tokenHash: string | null;
  /** Simulation (a world) or explicitly allowed: private targets are probed. */
  allowPrivate: boolean;
  /** A simulated world's directory: its resolver, clock, ports and CA. */
  world: string | null;
  intervalMs: number | null;
  timeoutMs: number;
  /** Probe the web over HTTPS: always, never, or where the map found a certificate ('auto'). */
  https: boolean | 'auto';
  /** Probe mail where the map finds an MX. */
  mail: boolean;
  /** Map every site again this often, ms (0: never). */
  remapEveryMs: number;
  asnDb: string | null;
  rangesDir: string | null;
  declarations: string | null;
  /** Agents over NATS JetStream, when probing is spread over `vigie agent` processes. */
  agents: {
    url: string;
    names: string[];
    perSite: number;
    prefix: string;
    creds: string | null;
    nkey: string | null;
  } | null;
  rateLimit: { max: number; windowMs: number } | false;
  /** `url`: the configured public URL, normalised; absent when not configured. */
  page: { name: string; url?: string };
  /** The `alerts:` block (src/alerts/config.ts); secrets resolved from the environment. */
  alerts: AlertsConfig;
  /** The `maintenance:` block. */
  maintenance: MaintenanceWindow[];
}

/** The environment variables read, and the config field each overrides. */
export const ENV_OVERRIDES: Record<string, string> = {
  VIGIE_STORE: 'store',
  VIGIE_LISTEN: 'listen',
  VIGIE_TOKEN_HASH: 'token_hash',
  VIGIE_RESOLVER: 'resolver',
  VIGIE_VANTAGE: 'vantage',
  VIGIE_ALLOW_PRIVATE: 'allow_private',
  VIGIE_PUBLIC_URL: 'public_url',
  VIGIE_WORLD: 'world',
};

let validate: ReturnType<Ajv2020['compile']> | undefined;

/** Read, validate and resolve the configuration at `file`; throws {@link InputError}. */
export function loadServeConfig(file: string, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new InputError([
      { file, line: 1, field: 'file', message: `cannot read: ${err.code ?? err.message}` },
    ]);
  }
  return parseServeConfig(text, file, env);
}

/** Same, from text (`file` names it in messages and anchors relative paths). */
export function parseServeConfig(text: string, file: string, env: NodeJS.ProcessEnv = {}): ServeConfig {
  const parsed = parseYaml(text, file);
  if (parsed.problems.length) throw new InputError(parsed.problems);
  const raw = (parsed.data ?? {}) as Record<string, unknown>;
  const problems: InputProblem[] = [];
  const at = (path: PathSeg[], message: string, key = false) =>
    problems.push({
      file,
      line: parsed.lineOf(path, key),
      field: formatPath(path).replace(/^scenario$/, 'config'),
      message,
    });

  validate ??= new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(CONFIG_SCHEMA);
  if (!validate(raw)) {
    const seen = new Set<string>();
    for (const e of validate.errors ?? []) {
      // One message per field: the branches of an anyOf all fail together (`rate_limit: false` too).
      if (e.keyword === 'anyOf' || e.keyword === 'const' || seen.has(e.instancePath)) continue;
      seen.add(e.instancePath);
      const path =
        e.instancePath === ''
          ? []
          : e.instancePath
              .slice(1)
              .split('/')
              .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      if (e.keyword === 'additionalProperties') {
        const name = String((e.params as { additionalProperty: string }).additionalProperty);
        at(
          [...path, name],
          `unknown field; known fields: ${Object.keys(CONFIG_SCHEMA.properties).join(', ')}`,
          true,
        );
      } else if (e.keyword === 'maximum') {
        const field = path.join('.') as keyof typeof DURATION_BOUNDS;
        const limit = Number((e.params as { limit: number }).limit).toLocaleString('en');
        at(
          path,
          `must be at most ${limit}${field in DURATION_BOUNDS ? ` seconds (${DURATION_BOUNDS[field].text})` : ''}`,
        );
      } else at(path, e.message ?? 'invalid');
    }
    throw new InputError(problems);
  }

  // Environment overrides: checked like the file's values, located at the variable.
  const fromEnv = new Set<string>();
  for (const [name, field] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    fromEnv.add(field);
    raw[field] = field === 'allow_private' ? /^(1|true|yes)$/i.test(v) : v;
  }
  const where = (field: string, message: string) => {
    const variable = Object.keys(ENV_OVERRIDES).find((k) => ENV_OVERRIDES[k] === field) as string;
    if (fromEnv.has(field)) problems.push({ file: 'environment', line: 1, field: variable, message });
    else at([field], message);
  };

  const world = typeof raw.world === 'string' ? resolve(dirname(file), raw.world) : null;
  const allowPrivate = raw.allow_private === true || world !== null;
  const policy = new TargetPolicy({ allowPrivate });

  const listen = parseListen(String(raw.listen ?? '127.0.0.1:8080'));
  if (!listen) where('listen', 'expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)');

  const store = String(raw.store ?? DEFAULT_STORE_URL);
  try {
    parseStoreUrl(store);
  } catch (e) {
    where('store', (e as Error).message);
  }

  const tokenHash = typeof raw.token_hash === 'string' ? raw.token_hash : null;
  if (tokenHash !== null && !isTokenHash(tokenHash))
    where(
      'token_hash',
      'expected a hash printed by `vigie serve --hash-token` (sha256$salt$hash, or the older scrypt$N$r$p$salt$hash)',
    );

  let resolver: DnsServer | null = null;
  if (typeof raw.resolver === 'string') {
    resolver = parseServer(raw.resolver);
    if (!resolver)
      where('resolver', 'expected ADDRESS[:PORT] (an IP address, e.g. 1.1.1.1 or [2606:4700::1111]:53)');
  }

  let publicUrl: string | null = null;
  if (typeof raw.public_url === 'string') {
    try {
      publicUrl = normalizePublicUrl(raw.public_url);
    } catch (e) {
      where('public_url', (e as Error).message);
    }
  }

  const duration = (field: keyof typeof DURATION_BOUNDS, fallback: number | null): number | null => {
    if (raw[field] === undefined) return fallback;
    const ms = parseDuration(String(raw[field]));
    const { maxMs, text } = DURATION_BOUNDS[field];
    if (ms === null || ms > maxMs)
      at([field], `expected a duration such as 250ms, 10s, 5m or 1h, at most ${text}`);
    return ms !== null && ms <= maxMs ? ms : null;
  };
  const intervalMs = duration('interval', null);
  const remapEveryMs =
    raw.remap_every === 0 || raw.remap_every === '0' ? 0 : (duration('remap_every', 6 * 3_600_000) ?? 0);
  const path = (field: string) =>
    typeof raw[field] === 'string' ? resolve(dirname(file), raw[field] as string) : null;
  const timeoutMs = duration('timeout', 10_000) ?? 10_000;

  let rateLimit: ServeConfig['rateLimit'] = { max: 600, windowMs: 60_000 };
  const rl = raw.rate_limit as { max?: number; window?: string } | false | undefined;
  if (rl === false) rateLimit = false;
  else if (rl) {
    const parsed = rl.window !== undefined ? parseDuration(String(rl.window)) : 60_000;
    const windowMs = parsed !== null && parsed <= DURATION_BOUNDS['rate_limit.window'].maxMs ? parsed : null;
    if (windowMs === null) at(['rate_limit', 'window'], 'expected a duration such as 1m, at most 24h');
    rateLimit = { max: rl.max ?? 600, windowMs: windowMs ?? 60_000 };
  }

  if (typeof raw.bus === 'string' && !Array.isArray(raw.agents))
    at(['bus'], 'a bus needs `agents`: the names of the vantages allowed to send observations');
  const sites = readSites(raw, file, policy, at, problems);
  const alerts = readAlerts(raw.alerts, at, env);
  const maintenance = readMaintenance(raw.maintenance, at);
  if (problems.length)
    throw new InputError(problems.sort((a, b) => (a.file === b.file ? a.line - b.line : 0)));
  return {
    sites,
    resolver,
    vantage: String(raw.vantage ?? 'local'),
    store,
    listen: listen as { host: string; port: number },
    tokenHash,
    allowPrivate,
    world,
    intervalMs,
    timeoutMs,
    https: typeof raw.https === 'boolean' ? raw.https : 'auto',
    mail: raw.mail !== false,
    remapEveryMs,
    asnDb: path('asn_db'),
    rangesDir: path('ranges_dir'),
    declarations: path('declarations'),
    agents:
      typeof raw.bus === 'string'
        ? {
            url: raw.bus,
            names: (raw.agents as string[] | undefined) ?? [],
            perSite: (raw.agents_per_site as number | undefined) ?? 3,
            prefix: (raw.nats_prefix as string | undefined) ?? 'vigie',
            creds: path('nats_creds'),
            nkey: path('nats_nkey'),
          }
        : null,
    rateLimit,
    page: {
      name: String(raw.name ?? 'Vigie'),
      // Absent: the server derives it from the address it actually listens on (public-url.ts).
      ...(publicUrl ? { url: publicUrl } : {}),
    },
    alerts,
    maintenance,
  };
}

function readSites(
  raw: Record<string, unknown>,
  file: string,
  policy: TargetPolicy,
  at: (path: PathSeg[], message: string) => void,
  problems: InputProblem[],
): Site[] {
  const out: Site[] = [];
  const check = (site: Site, report: (message: string) => void) => {
    const v = checkHost(site.domain, policy);
    if (v.kind === 'invalid') return report(`${site.domain}: ${v.reason}`);
    if (v.kind === 'address' && !v.verdict.ok)
      return report(
        `${site.domain} is ${v.verdict.reason}; refused outside simulation unless allow_private is set`,
      );
    out.push({ ...site, domain: v.kind === 'name' ? v.host : v.verdict.address });
  };
  const list = (raw.sites ?? []) as (string | Site)[];
  list.forEach((s, i) => {
    check(typeof s === 'object' ? s : { domain: String(s) }, (m) => at(['sites', i], m));
  });
  if (typeof raw.sites_file === 'string') {
    const path = resolve(dirname(file), raw.sites_file);
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      at(['sites_file'], `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    // Problems in the list are located in the list file itself.
    text.split('\n').forEach((line, i) => {
      const domain = line.replace(/#.*/, '').trim();
      if (domain)
        check({ domain }, (message) => problems.push({ file: path, line: i + 1, field: 'domain', message }));
    });
  }
  return out;
}

/** A duration such as `60s`, `5m`, `1h`, `250ms` (a bare number is seconds), in ms; null when invalid. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  return ms > 0 ? ms : null;
}

/** `HOST:PORT`, `[V6]:PORT` or `:PORT` (all interfaces… of loopback: the default host is 127.0.0.1). */
export function parseListen(text: string): { host: string; port: number } | null {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]*):(\d+)$/.exec(text);
  if (!m) return null;
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return null;
  return { host: m[1] === '' ? '127.0.0.1' : m[1], port };
}
