/**
 * The API the dashboard reads: same origin, JSON, typed with the server's own view types (imported
 * as types only, so the server's code never reaches the bundle).
 */
import type {
  ComponentView,
  IncidentView,
  SiteCounts,
  SiteVantageResult,
  SiteView,
  StatusEvent,
  VantageResult,
  VantageSeen,
  VantageSiteRow,
  VantageSummary,
} from '../../src/server/status/types.ts';

export type {
  ComponentView,
  IncidentView,
  SiteCounts,
  SiteVantageResult,
  SiteView,
  StatusEvent,
  VantageResult,
  VantageSeen,
  VantageSiteRow,
  VantageSummary,
};

/** One site from one vantage, with that vantage's state. */
export type SiteFromVantage = SiteVantageResult & { state: VantageSummary['state']; healthy: boolean };

export interface Dependency {
  component: string;
  role: string;
  source: string;
  confidence: number;
  evidence: string[];
}

export interface Transition {
  role: string;
  from: string;
  to: string;
  at: number;
  signature: string;
}

export interface SiteDetail {
  site: SiteView;
  dependencies: Dependency[];
  transitions: Transition[];
}

export interface ObservationRow {
  time: number;
  vantage: string;
  kind: string;
  outcome: 'up' | 'degraded' | 'down';
  signature: string;
  phase?: string;
  status?: number;
  speed?: number;
  timings: { dns?: number; connect?: number; tls?: number; ttfb?: number; total: number };
}

export interface BlastRadius {
  key: string;
  label: string;
  count: number;
  share: number;
  byRole: Record<string, number>;
  sites: string[];
}

export interface ProviderShare {
  provider: string;
  sites: number;
  share: number;
}

export interface Concentration {
  sites: number;
  overall: ProviderShare[];
  roles: Record<string, { sites: number; hhi: number; providers: ProviderShare[] }>;
}

/** Crowd reports per minute (`src/reports`), on an incident or for one site. */
export interface ReportCurve {
  from: number;
  stepMs: number;
  counts: number[];
  total: number;
  peakAt: number | null;
  peak: number;
}

/** A report curve as points, for charts and tables. */
export function reportPoints(c: ReportCurve): { time: number; count: number }[] {
  return c.counts.map((count, k) => ({ time: c.from + k * c.stepMs, count }));
}

export interface ServerTime {
  now: number;
  name: string;
  timeZone: string;
  updatedAt: number;
}

/** An answer other than 2xx, with the API's stable error code. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function get<T>(path: string): Promise<T> {
  const res = await fetch(`./api/${path}`, { headers: { accept: 'application/json' } });
  if (!res.ok) {
    let code = 'HTTP_ERROR';
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { code?: string; message?: string };
      code = body.code ?? code;
      message = body.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiFailure(res.status, code, message);
  }
  return (await res.json()) as T;
}

/** Fetch several independent reads at once. */
export const api = {
  time: () => get<ServerTime>('time'),
  sites: (q: { state?: string; q?: string; limit?: number; offset?: number } = {}) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
    return get<{ total: number; sites: SiteView[] }>(`sites?${p}`);
  },
  site: (domain: string) => get<SiteDetail>(`sites/${encodeURIComponent(domain)}`),
  observations: (domain: string) =>
    get<{ observations: ObservationRow[] }>(`sites/${encodeURIComponent(domain)}/observations?limit=600`),
  /** A page of incidents; `scope`: shared-cause ones, one-site ones, or all. `total`: how many match. */
  incidents: (
    status: 'open' | 'resolved' | 'all' = 'all',
    limit = 100,
    o: { scope?: 'all' | 'shared' | 'site'; offset?: number } = {},
  ) =>
    get<{ total: number; incidents: IncidentView[] }>(
      `incidents?status=${status}&limit=${limit}&scope=${o.scope ?? 'all'}&offset=${o.offset ?? 0}`,
    ),
  /** One incident, with from where its failure is seen. */
  incident: (id: string) =>
    get<IncidentView & { seenFrom?: VantageSeen[] }>(`incidents/${encodeURIComponent(id)}`),
  vantages: () => get<{ vantages: VantageSummary[] }>('vantages'),
  /** One vantage and a page of the sites as it sees them (failing first). */
  vantage: (name: string, q: { state?: string; q?: string; limit?: number; offset?: number } = {}) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
    return get<{ vantage: VantageSummary; total: number; sites: VantageSiteRow[] }>(
      `vantages/${encodeURIComponent(name)}${p.size ? `?${p}` : ''}`,
    );
  },
  siteVantages: (domain: string) =>
    get<{ site: string; vantages: SiteFromVantage[] }>(`sites/${encodeURIComponent(domain)}/vantages`),
  /** Components by dependent sites; `affected`: only those not operational or with failing sites. */
  components: (
    q: { kind?: string; provider?: string; affected?: boolean; limit?: number; offset?: number } = {},
  ) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
    return get<{ total: number; components: ComponentView[] }>(`components${p.size ? `?${p}` : ''}`);
  },
  // Component ids contain `:` and `/`, which the route takes as the rest of the path.
  component: (id: string) =>
    get<ComponentView>(`components/${id.split('/').map(encodeURIComponent).join('/')}`),
  whatif: (component: string, limit = 500) =>
    get<BlastRadius>(`whatif?component=${encodeURIComponent(component)}&limit=${limit}`),
  concentration: () => get<Concentration>('concentration'),
  history: (component: string) =>
    get<{ minutes: { minute: number; count: number; failures: number; degraded: number }[] }>(
      `history?component=${encodeURIComponent(component)}`,
    ),
  reports: (domain: string) =>
    get<{ curve: ReportCurve; spike: { level: string } }>(
      `reports/${encodeURIComponent(domain)}?minutes=180`,
    ),
  health: () =>
    get<{
      ok: boolean;
      sites: number;
      openIncidents: number;
      /** Vigie's own self-check (null before any trouble). */
      monitor?: { reliable: boolean; at: number; reason: string } | null;
    }>('health'),
};
