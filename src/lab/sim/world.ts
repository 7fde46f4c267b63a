/**
 * The simulated world: from a scenario, real DNS, HTTP(S) and SMTP servers on loopback addresses,
 * faults on a simulated clock, and a control endpoint (description, clock, crowd reports).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { loadCatalog } from '../../catalog/load.ts';
import { type Clock, ScaledClock } from '../../clock/clock.ts';
import { VigieError } from '../../errors.ts';
import type { WorldInfo } from '../../model/world.ts';
import type { Scenario } from '../scenario/types.ts';
import type { WorldContext } from './context.ts';
import { type DnsServers, listen, startDns } from './dns-server.ts';
import { createFaultEngine } from './faults/engine.ts';
import type { FaultEngine } from './faults/types.ts';
import { writeAsnTable, writeAtomic, writeRanges } from './files.ts';
import { WorldPki } from './pki.ts';
import { buildPlan, type WorldPlan } from './plan.ts';
import { SmtpServers } from './smtp-server.ts';
import { Tarpit } from './tarpit.ts';
import { WebServers } from './web-server.ts';

/** Default ports: high, so the world runs as an ordinary user; 0 picks free ones. */
export const DEFAULT_PORTS = { dns: 10053, http: 10080, https: 10443, smtp: 10025, control: 10900 } as const;

export interface WorldOptions {
  speed?: number;
  stateDir: string;
  ports?: Partial<Record<keyof typeof DEFAULT_PORTS, number>>;
  /** Write the ground truth here (kept apart from the state directory clients read). */
  truthOut?: string;
  log?: (line: string) => void;
}

export interface World {
  info: WorldInfo;
  plan: WorldPlan;
  clock: Clock;
  stop(): Promise<void>;
}

export async function startWorld(scenario: Scenario, opts: WorldOptions): Promise<World> {
  const log = opts.log ?? (() => {});
  const stateDir = resolve(opts.stateDir);
  mkdirSync(stateDir, { recursive: true });
  const catalog = loadCatalog();
  const plan = buildPlan(scenario, (id) => catalog.get(id));
  const engine = createFaultEngine({ scenario, hostingAddress: (i) => plan.sites[i].hostingAddress });
  const speed = opts.speed ?? scenario.speed;
  const clock = new ScaledClock(scenario.start, speed);
  const vantageByAddress = new Map(plan.vantages.map((v) => [v.address, v.id]));
  const held = new Set<{ destroy(): void }>();
  const ctx: WorldContext = {
    plan,
    engine,
    clock,
    vantageOf: (a) => (a ? vantageByAddress.get(a) : undefined),
    senderEffect: (a) => {
      const v = a ? vantageByAddress.get(a) : undefined;
      return v ? engine.vantageEffect(v, clock.now()) : null;
    },
    lost: () => engine.probeLoss > 0 && Math.random() < engine.probeLoss,
    hold: (s) => {
      held.add(s);
      s.once('close', () => held.delete(s));
    },
  };
  const ports = { ...DEFAULT_PORTS, ...opts.ports };
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
    for (const s of held) s.destroy();
  };
  try {
    const pki = await WorldPki.create();
    const tarpit = new Tarpit();
    stops.push(() => tarpit.stop());
    const dnsEndpoints = [
      { address: plan.resolver, mode: { kind: 'resolver' as const } },
      ...[...plan.providers.values()].flatMap((p) =>
        p.nameServers.map((ns) => ({
          address: ns.address,
          mode: { kind: 'authoritative' as const, provider: p.spec.id },
        })),
      ),
    ];
    ports.dns = await portFor(ports.dns, plan.resolver);
    const dns: DnsServers = await guard(startDns(ctx, dnsEndpoints, ports.dns), 'dns', ports.dns);
    stops.push(() => dns.close());
    const firstWeb = [...plan.bindings.keys()][0] ?? plan.control;
    ports.http = await portFor(ports.http, firstWeb);
    ports.https = await portFor(ports.https, firstWeb);
    const web = new WebServers(ctx, pki, tarpit, { http: ports.http, https: ports.https });
    stops.push(() => web.stop());
    await guard(web.start(), 'http/https', ports.http);
    ports.smtp = await portFor(ports.smtp, firstWeb);
    const smtp = new SmtpServers(ctx, ports.smtp);
    stops.push(() => smtp.stop());
    await guard(smtp.start(), 'smtp', ports.smtp);

    const caFile = join(stateDir, 'ca.pem');
    writeAtomic(caFile, pki.rootPem);
    const asnDb = join(stateDir, 'asn.csv');
    writeAsnTable(plan, asnDb);
    const rangesDir = join(stateDir, 'ranges');
    writeRanges(plan, rangesDir);
    if (opts.truthOut) writeFileSync(opts.truthOut, `${JSON.stringify(engine.describeTruth())}\n`);

    ports.control = await portFor(ports.control, plan.control);
    const info: WorldInfo = {
      scenario: scenario.name,
      title: scenario.title,
      resolver: { address: plan.resolver, port: ports.dns },
      ports,
      control: `http://${plan.control}:${ports.control}`,
      caFile,
      asnDb,
      rangesDir,
      clock: {
        origin: clock.origin,
        anchor: clock.anchor,
        speed,
        start: scenario.start,
        end: scenario.end,
        timezone: scenario.timezone,
      },
      probeIntervalMs: scenario.probeIntervalMs,
      vantages: plan.vantages,
      stateDir,
      pid: process.pid,
    };
    const control = controlServer(info, engine, clock, declarations(plan));
    await guard(listen(control, ports.control, plan.control), 'control', ports.control);
    stops.push(() => new Promise<void>((r) => control.close(() => r())));
    writeAtomic(join(stateDir, 'world.json'), `${JSON.stringify(info, null, 2)}\n`);
    log(
      `world ${scenario.name}: ${plan.sites.length} sites, ${plan.bindings.size} addresses, resolver ${plan.resolver}:${ports.dns}`,
    );
    return { info, plan, clock, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

const picked = new Set<number>();

/**
 * Resolve port 0 to a free port on `address` (the same number is then used on every address of the
 * world). Ports picked by this process are never handed out twice.
 */
async function portFor(port: number, address: string): Promise<number> {
  if (port !== 0) return port;
  for (;;) {
    const s = net.createServer();
    await listen(s, 0, address);
    const p = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
    if (!picked.has(p)) {
      picked.add(p);
      return p;
    }
  }
}

async function guard<T>(p: Promise<T>, what: string, port: number): Promise<T> {
  try {
    return await p;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { address?: string };
    if (e.code === 'EADDRINUSE') {
      throw new VigieError(
        'VIGIE_PORT_IN_USE',
        `${what} port ${port} is already in use on ${e.address ?? 'a world address'}: is another world running? ` +
          'Stop it, or pick other ports (--port-base N, or --port-base 0 for free ones).',
      );
    }
    throw err;
  }
}

/**
 * What the operators of the world's sites would configure in a monitor for what cannot be seen from
 * outside: the origin behind a CDN or platform, by address (never by provider id), and the hidden
 * components a site sits behind, by name. Configuration, not ground truth: nothing about faults.
 */
export function declarations(
  plan: WorldPlan,
): { domain: string; origin?: { address: string }; components?: string[] }[] {
  const out: { domain: string; origin?: { address: string }; components?: string[] }[] = [];
  for (const s of plan.sites) {
    const fronted = s.spec.cdn !== undefined || s.spec.platform !== undefined;
    if (!fronted && s.spec.shares.length === 0) continue;
    out.push({
      domain: s.domain,
      ...(fronted ? { origin: { address: s.hostingAddress } } : {}),
      ...(s.spec.shares.length ? { components: [...new Set(s.spec.shares)] } : {}),
    });
  }
  return out;
}

/** The control endpoint: description, clock, declarations and the crowd-report stream. Never the ground truth. */
function controlServer(
  info: WorldInfo,
  engine: FaultEngine,
  clock: Clock,
  declared: ReturnType<typeof declarations>,
): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://control');
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    if (url.pathname === '/world.json') return json(200, info);
    if (url.pathname === '/clock') return json(200, { now: clock.now(), speed: info.clock.speed });
    if (url.pathname === '/config/declarations') return json(200, declared);
    if (url.pathname === '/reports') {
      const from = Number(url.searchParams.get('from'));
      const to = Number(url.searchParams.get('to') ?? clock.now());
      if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) {
        return json(400, {
          error: 'VIGIE_BAD_RANGE',
          message: 'from and to must be ms timestamps, from ≤ to',
        });
      }
      return json(200, engine.reports(from, Math.min(to, clock.now())));
    }
    if (url.pathname === '/reports/stream') {
      // Newline-delimited JSON, one report per line, as the simulated clock reaches them.
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      let cursor = clock.now();
      const timer = setInterval(() => {
        const now = clock.now();
        for (const r of engine.reports(cursor, now)) res.write(`${JSON.stringify(r)}\n`);
        cursor = now;
      }, 250);
      req.on('close', () => clearInterval(timer));
      return;
    }
    json(404, {
      error: 'VIGIE_NOT_FOUND',
      message: 'try /world.json, /clock, /config/declarations, /reports?from=&to=, /reports/stream',
    });
  });
}
