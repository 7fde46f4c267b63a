/**
 * A tiny scriptable DNS server on loopback (UDP and TCP on one port) for tests: each question is
 * handed to a function that says what to answer, or to drop it, or to set the TC bit. It lets tests
 * serve what no well-behaved world would: CNAME loops, over-long chains, truncation, silence.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type Packet, type Question } from 'dns-packet';

/** What to do with one question. */
export type Scripted =
  | { drop: true }
  | { rcode?: number; answers?: Answer[]; authorities?: Answer[]; truncated?: boolean; aa?: boolean };

export type Script = (q: Question, transport: 'udp' | 'tcp') => Scripted;

export interface TestDnsServer {
  address: string;
  port: number;
  /** Queries received, in order, as `transport type name`. */
  log: string[];
  close(): Promise<void>;
}

function respond(query: Packet, s: Scripted): Buffer | null {
  if ('drop' in s) return null;
  const flags =
    0x8000 |
    0x0080 |
    ((query.flags ?? 0) & 0x0100) |
    (s.rcode ?? 0) |
    (s.truncated ? 0x0200 : 0) |
    (s.aa ? 0x0400 : 0);
  return dnsPacket.encode({
    id: query.id,
    type: 'response',
    flags,
    questions: query.questions,
    answers: s.answers ?? [],
    authorities: s.authorities ?? [],
  });
}

/** Start the server on `address` (default 127.0.0.1), port 0; `tcp: false` leaves TCP closed. */
export async function startTestDns(
  script: Script,
  opts: { address?: string; tcp?: boolean } = {},
): Promise<TestDnsServer> {
  const address = opts.address ?? '127.0.0.1';
  const log: string[] = [];
  const handle = (msg: Buffer, transport: 'udp' | 'tcp'): Buffer | null => {
    let query: Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return null;
    }
    const q = query.questions?.[0];
    if (!q) return null;
    log.push(`${transport} ${q.type} ${q.name}`);
    return respond(query, script(q, transport));
  };
  const tcp = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('error', () => {});
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const out = handle(buf.subarray(2, 2 + len), 'tcp');
        buf = buf.subarray(2 + len);
        if (!out) continue;
        const head = Buffer.alloc(2);
        head.writeUInt16BE(out.length);
        sock.write(Buffer.concat([head, out]));
      }
    });
  });
  await new Promise<void>((r) => tcp.listen(0, address, () => r()));
  const port = (tcp.address() as net.AddressInfo).port;
  if (opts.tcp === false) await new Promise((r) => tcp.close(r));
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const out = handle(msg, 'udp');
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => udp.bind(port, address, () => r()));
  return {
    address,
    port,
    log,
    async close() {
      udp.close();
      if (opts.tcp !== false) await new Promise((r) => tcp.close(r));
    },
  };
}

/** Record helpers for scripts. */
export const rr = {
  a: (name: string, data: string): Answer => ({ type: 'A', name, ttl: 60, class: 'IN', data }),
  cname: (name: string, data: string): Answer => ({ type: 'CNAME', name, ttl: 60, class: 'IN', data }),
  ns: (name: string, data: string): Answer => ({ type: 'NS', name, ttl: 60, class: 'IN', data }),
  mx: (name: string, exchange: string, preference = 10): Answer => ({
    type: 'MX',
    name,
    ttl: 60,
    class: 'IN',
    data: { exchange, preference },
  }),
};
