/**
 * HTTP and HTTPS listeners on every hosting, CDN-edge and platform address of the world.
 *
 * Failures are made as real as a user-level process can make them: when every site served on an
 * address is hit by the same network-level fault, the address itself changes state — `refuse`
 * closes its listener (connections are refused), `blackhole` hands it to the tarpit (SYNs are
 * dropped: connect timeouts), `reset` resets every accepted connection. When only some of the
 * virtual hosts on a shared address are hit, the server decides per request, after reading the
 * Host header or the TLS SNI: silence for a blackhole, a reset for refuse/reset.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { onConnections, v4, type WorldContext } from './context.ts';
import { listen } from './dns-server.ts';
import type { WorldPki } from './pki.ts';
import type { Binding } from './plan.ts';
import type { Tarpit } from './tarpit.ts';
import { firstEffect, rolesAt, webAction } from './web-response.ts';

type AddressState = 'open' | 'closed' | 'tarpit' | 'resetting';

interface Endpoint {
  address: string;
  binding: Binding;
  sites: Set<number>;
  http: net.Server | null;
  https: net.Server | null;
  state: AddressState;
}

interface ConnMeta {
  endpoint: Endpoint;
  raw: net.Socket;
}

const DEFAULT_ISSUER = 'Vigie Sim Certificates';
const CONTEXT_CACHE = 4096;
const HOLD_MS = 5 * 60_000;

export interface WebPorts {
  http: number;
  https: number;
}

export class WebServers {
  private endpoints: Endpoint[] = [];
  private meta = new WeakMap<object, ConnMeta>();
  private http: http.Server;
  private contexts = new Map<string, Promise<tls.SecureContext>>();
  private defaultContext!: tls.SecureContext;
  private timer: NodeJS.Timeout | null = null;
  private ray = 0;

  constructor(
    private ctx: WorldContext,
    private pki: WorldPki,
    private tarpit: Tarpit,
    readonly ports: WebPorts,
  ) {
    this.http = http.createServer({ keepAliveTimeout: 5000 }, (req, res) => this.onRequest(req, res));
    this.http.on('clientError', (_err, socket) => socket.destroy());
  }

  async start(): Promise<void> {
    const fallback = await this.pki.leaf(['invalid.test'], DEFAULT_ISSUER);
    this.defaultContext = tls.createSecureContext({ key: fallback.key, cert: fallback.chain });
    for (const [address, binding] of this.ctx.plan.bindings) {
      if (binding.kind !== 'hosting' && binding.kind !== 'cdn' && binding.kind !== 'platform') continue;
      const ep: Endpoint = {
        address,
        binding,
        sites: new Set(binding.sites),
        http: null,
        https: null,
        state: 'closed',
      };
      this.endpoints.push(ep);
      await this.openListeners(ep);
    }
    this.reconcile();
    this.timer = setInterval(() => this.reconcile(), 100);
    this.timer.unref();
  }

  private async openListeners(ep: Endpoint): Promise<void> {
    const h = net.createServer((s) => this.onConnection(ep, s, false));
    const hs = net.createServer((s) => this.onConnection(ep, s, true));
    await listen(h, this.ports.http, ep.address);
    try {
      await listen(hs, this.ports.https, ep.address);
    } catch (err) {
      h.close();
      throw err;
    }
    ep.http = h;
    ep.https = hs;
    ep.state = 'open';
  }

  private closeListeners(ep: Endpoint): void {
    ep.http?.close();
    ep.https?.close();
    ep.http = ep.https = null;
  }

  /** Bring every address's listening state in line with the faults in force now. */
  reconcile(): void {
    const t = this.ctx.clock.now();
    for (const ep of this.endpoints) {
      const want = this.socketState(ep, t);
      if (want === ep.state) continue;
      this.transition(ep, want).catch(() => {});
    }
  }

  private socketState(ep: Endpoint, t: number): AddressState {
    const roles = rolesAt(ep.binding.kind).own;
    let kind: string | null = null;
    for (const s of ep.binding.sites) {
      const e = firstEffect(this.ctx.engine, s, roles, t);
      if (!e || (e.kind !== 'blackhole' && e.kind !== 'refuse' && e.kind !== 'reset')) return 'open';
      if (kind && kind !== e.kind) return 'open';
      kind = e.kind;
    }
    if (kind === 'blackhole') return 'tarpit';
    if (kind === 'refuse') return 'closed';
    if (kind === 'reset') return 'resetting';
    return 'open';
  }

  private async transition(ep: Endpoint, want: AddressState): Promise<void> {
    const from = ep.state;
    ep.state = want;
    const listening = from === 'open' || from === 'resetting';
    const needListen = want === 'open' || want === 'resetting';
    if (from === 'tarpit') {
      this.tarpit.close(ep.address, this.ports.http);
      this.tarpit.close(ep.address, this.ports.https);
    }
    if (listening && !needListen) this.closeListeners(ep);
    if (want === 'tarpit') {
      this.tarpit.open(ep.address, this.ports.http);
      this.tarpit.open(ep.address, this.ports.https);
    }
    if (!listening && needListen) {
      await this.openListeners(ep);
      ep.state = want;
    }
  }

  private onConnection(ep: Endpoint, raw: net.Socket, secure: boolean): void {
    raw.on('error', () => {});
    const sender = onConnections(this.ctx.senderEffect(v4(raw.remoteAddress)));
    if (sender) {
      if (sender.kind === 'refuse' || sender.kind === 'reset') return void raw.resetAndDestroy();
      return this.holdSilently(raw);
    }
    if (ep.state === 'resetting') return void raw.resetAndDestroy();
    if (ep.state === 'tarpit' || ep.state === 'closed') {
      // A connection that raced the state change behaves as the new state would.
      return ep.state === 'closed' ? void raw.resetAndDestroy() : this.holdSilently(raw);
    }
    if (this.ctx.lost()) return this.holdSilently(raw);
    if (!secure) {
      this.meta.set(raw, { endpoint: ep, raw });
      this.http.emit('connection', raw);
      return;
    }
    const sock = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: this.defaultContext,
      ALPNProtocols: ['http/1.1'],
      SNICallback: (name, cb) => this.onSni(ep, raw, name, cb),
    });
    sock.on('error', () => raw.destroy());
    this.meta.set(sock, { endpoint: ep, raw });
    this.http.emit('connection', sock);
  }

  private onSni(
    ep: Endpoint,
    raw: net.Socket,
    servername: string,
    cb: (e: Error | null, c?: tls.SecureContext) => void,
  ) {
    const name = servername.toLowerCase();
    const site = this.siteFor(ep, name);
    if (site === undefined) return cb(null, this.defaultContext);
    const t = this.ctx.clock.now();
    const e = firstEffect(this.ctx.engine, site, rolesAt(ep.binding.kind).own, t);
    if (e?.kind === 'blackhole') return this.holdSilently(raw);
    if (e?.kind === 'refuse' || e?.kind === 'reset') return void raw.resetAndDestroy();
    const expired = e?.kind === 'tls_expired';
    this.contextFor(ep, site, expired).then(
      (c) => cb(null, c),
      (err) => cb(err as Error),
    );
  }

  private siteFor(ep: Endpoint, host: string): number | undefined {
    const plan = this.ctx.plan;
    const i = plan.siteByDomain.get(host) ?? plan.siteByDomain.get(host.replace(/^www\./, ''));
    return i !== undefined && ep.sites.has(i) ? i : undefined;
  }

  private contextFor(ep: Endpoint, site: number, expired: boolean): Promise<tls.SecureContext> {
    const domain = this.ctx.plan.sites[site].domain;
    const front =
      ep.binding.kind === 'hosting' ? undefined : this.ctx.plan.providers.get(ep.binding.provider);
    const issuer = front?.catalog?.tlsIssuer ?? DEFAULT_ISSUER;
    const key = `${domain}|${issuer}|${expired}`;
    let p = this.contexts.get(key);
    if (p) {
      this.contexts.delete(key); // refresh LRU position
      this.contexts.set(key, p);
      return p;
    }
    p = this.pki
      .leaf([domain, `www.${domain}`], issuer, expired)
      .then((l) => tls.createSecureContext({ key: l.key, cert: l.chain }));
    this.contexts.set(key, p);
    if (this.contexts.size > CONTEXT_CACHE) this.contexts.delete(this.contexts.keys().next().value!);
    return p;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const meta = this.meta.get(req.socket);
    if (!meta) return void res.destroy();
    const ep = meta.endpoint;
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const site = this.siteFor(ep, host);
    if (site === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end(`no site ${host} on this address\n`);
    }
    const ray = `${(++this.ray).toString(16).padStart(12, '0')}-SIM`;
    const t = this.ctx.clock.now();
    const action = webAction(this.ctx.plan, this.ctx.engine, ep.binding, site, t, Math.random(), ray);
    if (action.kind === 'silence') return this.holdSilently(meta.raw);
    if (action.kind === 'reset') return void meta.raw.resetAndDestroy();
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(action.status, {
        server: ep.binding.kind === 'hosting' ? 'nginx' : 'edge',
        ...action.headers,
      });
      res.end(action.body);
    };
    if (action.delayMs > 0) {
      const timer = setTimeout(send, this.ctx.clock.toReal(action.delayMs));
      res.on('close', () => clearTimeout(timer));
    } else send();
  }

  private holdSilently(raw: net.Socket): void {
    raw.pause();
    raw.setTimeout(HOLD_MS, () => raw.destroy());
    this.ctx.hold(raw);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const ep of this.endpoints) {
      if (ep.state === 'tarpit') {
        this.tarpit.close(ep.address, this.ports.http);
        this.tarpit.close(ep.address, this.ports.https);
      }
      this.closeListeners(ep);
    }
    this.http.closeAllConnections();
  }
}
