/**
 * What a web server of the world does with one request: answer (after a delay), stay silent, or
 * reset. Pure: decided from the binding (hosting server, CDN edge, platform front end), the site,
 * the fault engine and the time; web-server.ts carries it out on real sockets.
 */
import type { CatalogEntry, ErrorPage } from '../../catalog/types.ts';
import type { Effect } from '../scenario/types.ts';
import type { DepRole, FaultEngine } from './faults/types.ts';
import type { Binding, WorldPlan } from './plan.ts';

export type WebAction =
  | { kind: 'respond'; status: number; headers: Record<string, string>; body: string; delayMs: number }
  | { kind: 'silence' }
  | { kind: 'reset' };

/** How long a CDN edge waits for an unreachable origin before answering its error (simulated ms). */
export const CDN_ORIGIN_TIMEOUT_MS = 3000;
/** Beyond this origin latency a CDN gives up with a timeout error (Cloudflare: 100 s, then 524). */
export const CDN_READ_TIMEOUT_MS = 100_000;

/** The dependencies whose failure shows at a binding, in order of precedence. */
export function rolesAt(kind: Binding['kind']): { own: DepRole[]; origin: DepRole[] } {
  switch (kind) {
    case 'cdn':
      return { own: ['cdn'], origin: ['hosting', 'component', 'platform'] };
    case 'platform':
      return { own: ['platform', 'hosting', 'component'], origin: [] };
    default:
      return { own: ['hosting', 'component'], origin: [] };
  }
}

export function firstEffect(engine: FaultEngine, site: number, roles: DepRole[], t: number): Effect | null {
  for (const r of roles) {
    const e = engine.effectOn(site, r, t);
    if (e) return e.effect;
  }
  return null;
}

function catalogOf(plan: WorldPlan, provider: string | undefined): CatalogEntry | undefined {
  return provider ? plan.providers.get(provider)?.catalog : undefined;
}

function markerHeaders(entry: CatalogEntry | undefined, ray: string): Record<string, string> {
  const h: Record<string, string> = {};
  for (const m of entry?.headers ?? []) h[m.name] = m.example.replace('{ray}', ray);
  return h;
}

function fill(template: string, status: number, host: string, ray: string): string {
  return template.replaceAll('{status}', String(status)).replaceAll('{host}', host).replaceAll('{ray}', ray);
}

function pickPage(
  entry: CatalogEntry | undefined,
  status: number,
  meaning: ErrorPage['meaning'],
): ErrorPage | undefined {
  const pages = entry?.errorPages ?? [];
  return (
    pages.find((p) => p.meaning === meaning && p.status.includes(status)) ??
    pages.find((p) => p.status.includes(status)) ??
    pages.find((p) => p.meaning === meaning)
  );
}

export function sitePage(domain: string): string {
  return `<!doctype html><html><head><title>${domain}</title></head><body><h1>${domain}</h1><p>Welcome.</p></body></html>\n`;
}

function genericError(status: number): string {
  return `<!doctype html><html><head><title>${status}</title></head><body><h1>Error ${status}</h1></body></html>\n`;
}

const QUEUE_PAGE =
  '<!doctype html><html><head><title>Waiting room</title></head><body><h1>You are now in line</h1>' +
  '<p>Due to high demand you have been placed in a queue. Your estimated wait time is several minutes.</p></body></html>\n';

/**
 * Decide the action for a request for `site` reaching `binding`.
 * `rand` is a uniform [0,1) draw for overload error rates.
 */
export function webAction(
  plan: WorldPlan,
  engine: FaultEngine,
  binding: Binding,
  site: number,
  t: number,
  rand: number,
  ray: string,
): WebAction {
  const domain = plan.sites[site].domain;
  const front = binding.kind === 'cdn' || binding.kind === 'platform' ? binding.provider : undefined;
  const frontEntry = catalogOf(plan, front);
  const headers = { 'content-type': 'text/html; charset=utf-8', ...markerHeaders(frontEntry, ray) };
  const ok: WebAction = { kind: 'respond', status: 200, headers, body: sitePage(domain), delayMs: 0 };
  const roles = rolesAt(binding.kind);
  const own = firstEffect(engine, site, roles.own, t);
  if (own) return applyOwn(plan, own, ok, domain, ray, rand);
  if (binding.kind !== 'cdn') return ok;
  const origin = firstEffect(engine, site, roles.origin, t);
  if (!origin) return ok;
  return applyOrigin(frontEntry, origin, ok, domain, ray, rand);
}

/** An effect on the server that answers the client itself. */
function applyOwn(
  plan: WorldPlan,
  e: Effect,
  ok: WebAction & { kind: 'respond' },
  host: string,
  ray: string,
  rand: number,
): WebAction {
  switch (e.kind) {
    case 'blackhole':
      return { kind: 'silence' };
    case 'refuse':
    case 'reset':
      return { kind: 'reset' };
    case 'http_error': {
      const entry = catalogOf(plan, e.page);
      const page = pickPage(entry, e.status, 'edge_error');
      const body = page ? fill(page.example, e.status, host, ray) : genericError(e.status);
      return { ...ok, status: e.status, headers: { ...ok.headers, ...markerHeaders(entry, ray) }, body };
    }
    case 'slow':
      return { ...ok, delayMs: e.latencyMs };
    case 'overload':
      return overloaded(ok, e, rand);
    default:
      return ok; // dns_* and tls_expired do not change the HTTP exchange itself
  }
}

function overloaded(
  ok: WebAction & { kind: 'respond' },
  e: Effect & { kind: 'overload' },
  rand: number,
): WebAction {
  if (rand < e.errorRate) {
    return {
      ...ok,
      status: 503,
      delayMs: e.latencyMs,
      headers: { ...ok.headers, 'retry-after': '120' },
      body: e.queuePage ? QUEUE_PAGE : genericError(503),
    };
  }
  return { ...ok, delayMs: e.latencyMs };
}

/** An effect on the origin behind a CDN edge: the edge answers its own "origin unreachable" error. */
function applyOrigin(
  cdn: CatalogEntry | undefined,
  e: Effect,
  ok: WebAction & { kind: 'respond' },
  host: string,
  ray: string,
  rand: number,
): WebAction {
  const originError = (status: number, delayMs: number): WebAction => {
    const page = pickPage(cdn, status, 'origin_unreachable');
    const code = page && !page.status.includes(status) ? page.status[0] : status;
    const body = page ? fill(page.example, code, host, ray) : genericError(code);
    return { ...ok, status: code, body, delayMs };
  };
  switch (e.kind) {
    case 'blackhole':
      return originError(522, CDN_ORIGIN_TIMEOUT_MS);
    case 'refuse':
      return originError(521, 0);
    case 'reset':
      return originError(520, 0);
    case 'tls_expired':
      return originError(526, 0);
    case 'http_error':
      // The origin's own error passes through the edge, with the origin's (unbranded) page.
      return { ...ok, status: e.status, body: genericError(e.status) };
    case 'slow':
      return e.latencyMs >= CDN_READ_TIMEOUT_MS
        ? originError(524, CDN_READ_TIMEOUT_MS)
        : { ...ok, delayMs: e.latencyMs };
    case 'overload':
      return overloaded(ok, e, rand);
    default:
      return ok;
  }
}
