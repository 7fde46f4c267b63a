/**
 * blackbox_exporter compatibility: a `/probe?target=…&module=…` request turned into one of Vigie's
 * probes, and its observation turned into the metrics blackbox would answer, so an existing
 * Prometheus scrapes Vigie's probers per target with the names it already knows.
 *
 * Modules (blackbox's usual names; Vigie's probers have no per-module configuration):
 * - `http_2xx` / `https_2xx`: `http(s)://HOST[:PORT]/` or `HOST[:PORT]` — GET `/` (the scheme of a
 *   URL wins, as in blackbox); success is what Vigie calls up or degraded (2xx/3xx, not a CDN error page).
 * - `tcp_connect`: `HOST:PORT` — a TCP connection.
 * - `tls_connect`: `HOST[:PORT]` (443) — a TLS handshake, certificate checked.
 * - `dns`: `NAME` — resolved by Vigie's resolver (blackbox's target is the DNS server; here it is
 *   the name, the server being Vigie's own).
 * - `smtp_banner`: `DOMAIN` (its MX hosts) or `ADDRESS[:PORT]` — the SMTP banner.
 */
import { Gauge, Registry } from 'prom-client';
import type { Observation } from '../../model/observation.ts';
import { checkHost, type TargetPolicy } from '../../net/address-policy.ts';
import type { ProbeTarget } from '../../probe/types.ts';
import { httpPhases } from './probe-metrics.ts';

export const MODULES = ['http_2xx', 'https_2xx', 'tcp_connect', 'tls_connect', 'dns', 'smtp_banner'] as const;
export type Module = (typeof MODULES)[number];

/** A request that cannot be probed: said why, with the API's error code. */
export class TargetError extends Error {
  constructor(
    readonly code: 'VIGIE_BAD_REQUEST' | 'VIGIE_TARGET_REFUSED',
    message: string,
  ) {
    super(message);
  }
}

/** `HOST[:PORT]` with IPv6 in brackets; the port, when present, checked. */
function hostPort(text: string): { host: string; port?: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(text);
  if (!m) throw new TargetError('VIGIE_BAD_REQUEST', `expected HOST[:PORT], not ${JSON.stringify(text)}`);
  if (m[2] === undefined) return { host: m[1] };
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new TargetError('VIGIE_BAD_REQUEST', `port out of range: ${m[2]}`);
  return { host: m[1], port };
}

/**
 * The probe a module and target ask for, after the target policy: an address it refuses (loopback,
 * private, link-local, metadata… unless the server allows private targets) is refused here; a name
 * is resolved later through the guarded resolver, which refuses the same addresses.
 */
export function probeTargetFor(module: Module, text: string, policy: TargetPolicy): ProbeTarget {
  let secure = module === 'https_2xx';
  let rest = text.trim();
  if (module === 'http_2xx' || module === 'https_2xx') {
    const scheme = /^(https?):\/\//i.exec(rest);
    if (scheme) {
      let url: URL;
      try {
        url = new URL(rest);
      } catch {
        throw new TargetError('VIGIE_BAD_REQUEST', `not a URL: ${JSON.stringify(text)}`);
      }
      if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.username)
        throw new TargetError(
          'VIGIE_BAD_REQUEST',
          'Vigie probes the root of a site: the URL has no path, query or credentials',
        );
      secure = url.protocol === 'https:';
      rest = url.host;
    }
  }
  const { host, port } = module === 'dns' ? { host: rest, port: undefined } : hostPort(rest);
  if (module === 'tcp_connect' && port === undefined)
    throw new TargetError('VIGIE_BAD_REQUEST', 'tcp_connect needs HOST:PORT');
  const v = checkHost(host, policy);
  if (v.kind === 'invalid') throw new TargetError('VIGIE_BAD_REQUEST', `${host}: ${v.reason}`);
  if (v.kind === 'address' && !v.verdict.ok)
    throw new TargetError(
      'VIGIE_TARGET_REFUSED',
      `${host} is ${v.verdict.reason}: refused by the server's target policy`,
    );
  if (module === 'dns' && v.kind === 'address')
    throw new TargetError('VIGIE_BAD_REQUEST', 'the dns module resolves a name, not an address');
  const site = v.kind === 'name' ? v.host : v.verdict.address;
  const addresses = v.kind === 'address' ? [v.verdict.address] : undefined;
  const kind: ProbeTarget['kind'] =
    module === 'dns'
      ? 'dns'
      : module === 'tcp_connect'
        ? 'tcp'
        : module === 'tls_connect'
          ? 'tls'
          : module === 'smtp_banner'
            ? 'smtp'
            : 'http';
  return {
    site,
    kind,
    ...(addresses ? { addresses } : {}),
    ...(port ? { port } : {}),
    ...(kind === 'http' ? { secure } : {}),
  };
}

/** The metrics blackbox would answer for this probe, in Prometheus text. */
export async function blackboxMetrics(
  module: Module,
  o: Observation,
): Promise<{ type: string; body: string }> {
  const registry = new Registry();
  const registers = [registry];
  const gauge = (name: string, help: string, value: number) =>
    new Gauge({ name, help, registers }).set(value);
  gauge('probe_success', 'Displays whether or not the probe was a success', o.outcome === 'down' ? 0 : 1);
  gauge(
    'probe_duration_seconds',
    'Returns how long the probe took to complete in seconds',
    o.timings.total / 1000,
  );
  if (o.timings.dns !== undefined || module === 'dns')
    gauge(
      'probe_dns_lookup_time_seconds',
      'Returns the time taken for probe dns lookup in seconds',
      (o.timings.dns ?? o.timings.total) / 1000,
    );
  if (o.family && o.address)
    gauge('probe_ip_protocol', 'Specifies whether probe ip protocol is IP4 or IP6', o.family);
  if (module === 'dns')
    gauge(
      'probe_dns_answer_rrs',
      'Returns number of entries in the answer resource record list',
      o.addresses?.length ?? 0,
    );
  if (o.kind === 'http') {
    gauge('probe_http_status_code', 'Response HTTP status code', o.status ?? 0);
    gauge(
      'probe_http_ssl',
      'Indicates if SSL was used for the final redirect',
      o.scheme === 'https' && o.status ? 1 : 0,
    );
    // Vigie's "regexes" are the catalog's error-page markers: a recognised CDN error or queue page fails the probe.
    gauge(
      'probe_failed_due_to_regex',
      'Indicates if probe failed due to regex (a recognised CDN error or waiting-room page)',
      o.signature === 'cdn_error' || o.queue ? 1 : 0,
    );
    const phases = new Gauge({
      name: 'probe_http_duration_seconds',
      help: 'Duration of http request by phase, summed over all redirects',
      labelNames: ['phase'],
      registers,
    });
    const measured = httpPhases(o);
    for (const phase of ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const)
      phases.set({ phase }, measured[phase] ?? 0);
  }
  if (o.certExpiry !== undefined)
    gauge(
      'probe_ssl_earliest_cert_expiry',
      'Returns last SSL chain expiry in unixtime',
      Math.floor(o.certExpiry / 1000),
    );
  new Gauge({
    name: 'vigie_probe_signature',
    help: "Vigie's reading of the probe: its failure signature (ok when it succeeded) and the phase reached",
    labelNames: ['signature', 'phase', 'vantage'],
    registers,
  }).set({ signature: o.signature, phase: o.phase ?? '', vantage: o.vantage }, 1);
  return { type: registry.contentType, body: await registry.metrics() };
}
