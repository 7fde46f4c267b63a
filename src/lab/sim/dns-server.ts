/**
 * DNS over UDP and TCP for the resolver address and every provider's name-server addresses.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import { v4, type WorldContext } from './context.ts';
import { answerQuery, type DnsMode } from './dns-answer.ts';

export interface DnsEndpoint {
  address: string;
  mode: DnsMode;
}

const UDP_LIMIT = 512;
/**
 * Receive buffer of each UDP socket. The default (net.core.rmem_default, 208 KB on Debian) overflows
 * when thousands of probes a second resolve through the world's one resolver socket: bursts are
 * dropped by the kernel and show as `dns_timeout` that no fault caused. The kernel caps the request at
 * net.core.rmem_max (raise it, as root, for more: `sysctl -w net.core.rmem_max=8388608`).
 */
export const UDP_RECEIVE_BUFFER = 8 * 1024 * 1024;

/** Compute the reply to one raw query, or null when the query must go unanswered. */
function reply(
  ctx: WorldContext,
  endpoint: DnsEndpoint,
  msg: Buffer,
  from: string | undefined,
  udp: boolean,
) {
  let query: Packet;
  try {
    query = dnsPacket.decode(msg);
  } catch {
    return null; // garbage is dropped, as real servers do
  }
  const sender = ctx.senderEffect(from);
  if (sender) return sender.kind === 'dns_servfail' ? servfail(query) : null;
  if (ctx.lost()) return null;
  const out = answerQuery(ctx.plan, ctx.engine, query, endpoint.mode, ctx.clock.now());
  if (out.drop || !out.response) return null;
  let buf = dnsPacket.encode(out.response);
  const edns = query.additionals?.some((a) => a.type === 'OPT');
  if (udp && !edns && buf.length > UDP_LIMIT) {
    buf = dnsPacket.encode({
      ...out.response,
      flags: (out.response.flags ?? 0) | 0x0200,
      answers: [],
      authorities: [],
    });
  }
  return { buf, delayMs: out.delayMs };
}

function servfail(query: Packet) {
  const r: Packet = {
    id: query.id,
    type: 'response',
    flags: 0x8000 | 0x0080 | 2,
    questions: query.questions,
  };
  return { buf: dnsPacket.encode(r), delayMs: 0 };
}

export interface DnsServers {
  close(): Promise<void>;
}

/** Start UDP and TCP listeners on every endpoint, all on `port`. */
export async function startDns(
  ctx: WorldContext,
  endpoints: DnsEndpoint[],
  port: number,
): Promise<DnsServers> {
  const udps: dgram.Socket[] = [];
  const tcps: net.Server[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, f: () => void) => {
    if (ms <= 0) return f();
    const t = setTimeout(() => {
      timers.delete(t);
      f();
    }, ctx.clock.toReal(ms));
    timers.add(t);
  };
  try {
    for (const ep of endpoints) {
      const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: UDP_RECEIVE_BUFFER });
      udp.on('message', (msg, rinfo) => {
        const r = reply(ctx, ep, msg, rinfo.address, true);
        if (r) later(r.delayMs, () => udp.send(r.buf, rinfo.port, rinfo.address));
      });
      udp.on('error', () => {});
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, ep.address, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      udps.push(udp);
      const tcp = net.createServer((sock) => serveTcp(ctx, ep, sock, later));
      await listen(tcp, port, ep.address);
      tcps.push(tcp);
    }
  } catch (err) {
    for (const u of udps) u.close();
    for (const t of tcps) t.close();
    throw err;
  }
  return {
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const u of udps) u.close();
      await Promise.all(tcps.map((t) => new Promise((r) => t.close(r))));
    },
  };
}

function serveTcp(
  ctx: WorldContext,
  ep: DnsEndpoint,
  sock: net.Socket,
  later: (ms: number, f: () => void) => void,
): void {
  let buf = Buffer.alloc(0);
  sock.on('error', () => {});
  sock.setTimeout(30_000, () => sock.destroy());
  ctx.hold(sock);
  sock.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2) {
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) break;
      const msg = buf.subarray(2, 2 + len);
      buf = buf.subarray(2 + len);
      const r = reply(ctx, ep, msg, v4(sock.remoteAddress), false);
      if (!r) continue;
      later(r.delayMs, () => {
        if (sock.destroyed) return;
        const head = Buffer.alloc(2);
        head.writeUInt16BE(r.buf.length);
        sock.write(Buffer.concat([head, r.buf]));
      });
    }
  });
}

export function listen(server: net.Server, port: number, host: string, backlog?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
