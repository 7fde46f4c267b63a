/**
 * A stub-resolver client: queries a recursive resolver (or any DNS server) over one UDP socket,
 * multiplexing queries by message id, with a per-attempt timeout, retries, a bound on queries in
 * flight, an optional source address (a vantage), and a TCP retry when a response is truncated.
 * It never throws: every query ends as a {@link DnsResult}.
 *
 * One socket for everything keeps a mapping run of tens of thousands of names at a few file
 * descriptors and lets it go past 10,000 queries per second; the in-flight bound keeps the
 * server's receive buffer (and ours) from overflowing, which would turn speed into timeouts.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket, type RecordType } from 'dns-packet';
import { tcpQuery } from './tcp.ts';
import type { DnsQuerier, DnsResult, DnsServer } from './types.ts';

export interface DnsClientOptions {
  server: DnsServer;
  /** Per attempt, in milliseconds (default 1000). */
  timeoutMs?: number;
  /** Attempts after the first one when no response came (default 2). */
  retries?: number;
  /** Queries outstanding at once; more wait their turn (default 256). */
  maxInFlight?: number;
  /** Source address to send from (a vantage's address). */
  localAddress?: string;
  /** Retry over TCP when the UDP response has the TC bit (default true). */
  tcpFallback?: boolean;
  /** EDNS(0) UDP payload size to advertise; 0 sends no OPT record (default 1232, the DNS flag day value). */
  ednsPayload?: number;
}

/** Counters, for benchmarks and logs. */
export interface DnsClientStats {
  queries: number;
  sent: number;
  timeouts: number;
  truncated: number;
  tcp: number;
}

interface Pending {
  id: number;
  name: string;
  type: RecordType;
  packet: Buffer;
  attempts: number;
  t0: number;
  timer: NodeJS.Timeout | null;
  done: (r: DnsResult) => void;
}

const RECV_BUFFER = 4 * 1024 * 1024;

export class DnsClient implements DnsQuerier {
  readonly stats: DnsClientStats = { queries: 0, sent: 0, timeouts: 0, truncated: 0, tcp: 0 };
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxInFlight: number;
  private readonly tcpFallback: boolean;
  private readonly ednsPayload: number;
  private socket: Promise<dgram.Socket | Error> | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly waiting: (() => void)[] = [];
  private inFlight = 0;
  private nextId = Math.floor(Math.random() * 65536);
  private closed = false;

  constructor(private readonly opts: DnsClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 1000;
    this.retries = opts.retries ?? 2;
    this.maxInFlight = Math.max(1, Math.min(opts.maxInFlight ?? 256, 60_000));
    this.tcpFallback = opts.tcpFallback ?? true;
    this.ednsPayload = opts.ednsPayload ?? 1232;
  }

  /** The server queries go to. */
  get server(): DnsServer {
    return this.opts.server;
  }

  /** Ask `type` records of `name` (recursion desired). */
  async query(name: string, type: RecordType, signal?: AbortSignal): Promise<DnsResult> {
    this.stats.queries++;
    if (this.closed) return { kind: 'error', code: 'ECLOSED', message: 'client closed' };
    if (signal?.aborted) return { kind: 'timeout', ms: 0 };
    const bad = wireProblem(name);
    if (bad) return { kind: 'error', code: 'EBADNAME', message: bad };
    let packet: Buffer;
    const id = this.takeId();
    try {
      packet = dnsPacket.encode({
        type: 'query',
        id,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type, name, class: 'IN' }],
        additionals:
          this.ednsPayload > 0
            ? [{ type: 'OPT', name: '.', udpPayloadSize: this.ednsPayload, flags: 0, options: [] }]
            : [],
      } as unknown as dnsPacket.Packet);
    } catch (e) {
      return { kind: 'error', code: 'EBADNAME', message: (e as Error).message };
    }
    const t0 = Date.now();
    await this.acquire();
    try {
      // Released by close(), or the caller gave up while this query waited for a slot: send nothing.
      if (this.closed) return { kind: 'error', code: 'ECLOSED', message: 'client closed' };
      if (signal?.aborted) return { kind: 'timeout', ms: Date.now() - t0 };
      const sock = await this.bound();
      if (sock instanceof Error) return { kind: 'error', code: 'ESOCKET', message: sock.message };
      return await new Promise<DnsResult>((resolve) => {
        const p: Pending = {
          id,
          name: name.toLowerCase().replace(/\.$/, ''),
          type,
          packet,
          attempts: 0,
          t0: Date.now(),
          timer: null,
          done: resolve,
        };
        // The id may have been taken while this query waited for a slot: pick a free one now.
        if (this.pending.has(id)) {
          p.id = this.takeId();
          p.packet.writeUInt16BE(p.id, 0);
        }
        this.pending.set(p.id, p);
        signal?.addEventListener(
          'abort',
          () => {
            if (this.pending.get(p.id) === p) this.finish(p, { kind: 'timeout', ms: Date.now() - p.t0 });
          },
          { once: true },
        );
        this.send(sock, p);
      });
    } finally {
      this.release();
    }
  }

  /** Stop: pending queries end as errors, the socket is closed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.done({ kind: 'error', code: 'ECLOSED', message: 'client closed' });
    }
    this.pending.clear();
    for (const w of this.waiting.splice(0)) w();
    const s = this.socket ? await this.socket : null;
    if (s && !(s instanceof Error)) await new Promise<void>((r) => s.close(() => r()));
  }

  private takeId(): number {
    for (let i = 0; i < 65536; i++) {
      this.nextId = (this.nextId + 1) & 0xffff;
      const id = this.nextId;
      if (!this.pending.has(id)) return id;
    }
    return 0; // unreachable: at most maxInFlight ≤ 60,000 ids are in use
  }

  private acquire(): Promise<void> | void {
    if (this.inFlight < this.maxInFlight) {
      this.inFlight++;
      return;
    }
    return new Promise<void>((r) => this.waiting.push(r)).then(() => {
      this.inFlight++;
    });
  }

  private release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  private bound(): Promise<dgram.Socket | Error> {
    this.socket ??= new Promise((resolve) => {
      const family = net.isIPv6(this.opts.server.address) ? 'udp6' : 'udp4';
      const sock = dgram.createSocket({ type: family });
      sock.once('error', (e) => resolve(e));
      sock.bind({ port: 0, address: this.opts.localAddress }, () => {
        sock.removeAllListeners('error');
        sock.on('error', () => {}); // per-send errors arrive through send callbacks
        try {
          sock.setRecvBufferSize(RECV_BUFFER);
        } catch {
          // the kernel caps it (net.core.rmem_max); the default still works, only less burst-tolerant
        }
        sock.on('message', (msg) => this.onMessage(msg));
        // Pending queries keep the process alive through their timers, an idle socket does not.
        sock.unref();
        resolve(sock);
      });
    });
    return this.socket;
  }

  private send(sock: dgram.Socket, p: Pending): void {
    p.attempts++;
    this.stats.sent++;
    if (this.closed) return;
    sock.send(p.packet, this.opts.server.port, this.opts.server.address, (err) => {
      if (err && this.pending.get(p.id) === p)
        this.finish(p, {
          kind: 'error',
          code: (err as NodeJS.ErrnoException).code ?? 'ESEND',
          message: err.message,
        });
    });
    p.timer = setTimeout(() => {
      if (this.pending.get(p.id) !== p) return;
      if (p.attempts <= this.retries) return this.send(sock, p);
      this.stats.timeouts++;
      this.finish(p, { kind: 'timeout', ms: Date.now() - p.t0 });
    }, this.timeoutMs);
  }

  private finish(p: Pending, r: DnsResult): void {
    if (p.timer) clearTimeout(p.timer);
    this.pending.delete(p.id);
    p.done(r);
  }

  private onMessage(msg: Buffer): void {
    if (msg.length < 12) return;
    const p = this.pending.get(msg.readUInt16BE(0));
    if (!p) return; // late answer to a query already settled, or noise
    let d: DecodedPacket;
    try {
      d = dnsPacket.decode(msg);
    } catch {
      return; // garbage with a matching id: keep waiting for the real answer
    }
    const q = d.questions?.[0];
    // A response must echo our question; anything else is stale or spoofed.
    if (
      d.type !== 'response' ||
      !q ||
      q.type !== p.type ||
      q.name.toLowerCase().replace(/\.$/, '') !== p.name
    )
      return;
    if (d.flag_tc) {
      this.stats.truncated++;
      if (p.timer) clearTimeout(p.timer);
      this.pending.delete(p.id);
      if (!this.tcpFallback) return p.done(toAnswer(d, p, 'udp'));
      this.stats.tcp++;
      const budget = this.timeoutMs * (this.retries + 1);
      tcpQuery(this.opts.server, p.packet, p.id, budget, this.opts.localAddress).then((r) =>
        p.done(r.kind === 'packet' ? toAnswer(r.packet, p, 'tcp') : toAnswer(d, p, 'udp')),
      );
      return;
    }
    this.finish(p, toAnswer(d, p, 'udp'));
  }
}

/** What would make `name` unencodable on the wire (dns-packet would silently write a broken packet). */
function wireProblem(name: string): string | null {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n.length > 253) return 'name longer than 253 characters';
  for (const label of n.split('.')) {
    if (label.length > 63) return 'label longer than 63 characters';
    if (label.length === 0 && n.length > 0) return 'empty label';
  }
  return null;
}

function toAnswer(d: DecodedPacket, p: Pending, via: 'udp' | 'tcp'): DnsResult {
  return {
    kind: 'answer',
    rcode: (d as DecodedPacket & { rcode?: string }).rcode ?? 'NOERROR',
    answers: d.answers ?? [],
    authorities: d.authorities ?? [],
    truncated: d.flag_tc,
    authoritative: d.flag_aa,
    via,
    ms: Date.now() - p.t0,
  };
}
