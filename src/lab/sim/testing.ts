/**
 * Minimal clients for tests of the world: they talk to it exactly as an outside client would
 * (UDP DNS, HTTP with Host, HTTPS with SNI, SMTP), and report failures as data.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import dnsPacket from 'dns-packet';

export type DnsResult =
  | { kind: 'answer'; rcode: string; answers: dnsPacket.Answer[]; flags: number }
  | { kind: 'timeout' };

export function dnsQuery(
  server: string,
  port: number,
  name: string,
  type: dnsPacket.RecordType = 'A',
  opts: { timeoutMs?: number; localAddress?: string } = {},
): Promise<DnsResult> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const id = Math.floor(Math.random() * 65535);
    const timer = setTimeout(() => finish({ kind: 'timeout' }), opts.timeoutMs ?? 1000);
    function finish(r: DnsResult) {
      clearTimeout(timer);
      sock.close();
      resolve(r);
    }
    sock.on('message', (msg) => {
      const p = dnsPacket.decode(msg);
      if (p.id !== id) return;
      finish({
        kind: 'answer',
        rcode: (p as { rcode?: string }).rcode ?? 'NOERROR',
        answers: p.answers ?? [],
        flags: p.flags ?? 0,
      });
    });
    sock.on('error', () => finish({ kind: 'timeout' }));
    const q = dnsPacket.encode({
      id,
      type: 'query',
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type, name }],
    });
    const send = () => sock.send(q, port, server);
    if (opts.localAddress) sock.bind(0, opts.localAddress, send);
    else send();
  });
}

export type WebResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: string; ms: number }
  | { kind: 'error'; phase: 'connect' | 'tls' | 'response'; code: string; ms: number };

/** One HTTP/1.1 GET over a fresh connection, to `address:port` with Host (and SNI when `tls`). */
export function webGet(
  address: string,
  port: number,
  host: string,
  opts: { tls?: { ca: string }; timeoutMs?: number; localAddress?: string } = {},
): Promise<WebResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let phase: 'connect' | 'tls' | 'response' = 'connect';
    let data = '';
    let done = false;
    const raw = net.connect({ host: address, port, localAddress: opts.localAddress });
    let sock: net.Socket = raw;
    const timer = setTimeout(
      () => finish({ kind: 'error', phase, code: 'TIMEOUT', ms: Date.now() - t0 }),
      opts.timeoutMs ?? 2000,
    );
    function finish(r: WebResult) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      raw.destroy();
      resolve(r);
    }
    const send = () => {
      phase = 'response';
      sock.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nUser-Agent: vigie-test\r\n\r\n`);
    };
    raw.on('error', (e: NodeJS.ErrnoException) =>
      finish({ kind: 'error', phase, code: e.code ?? e.message, ms: Date.now() - t0 }),
    );
    raw.on('connect', () => {
      if (!opts.tls) return send();
      phase = 'tls';
      const t = tls.connect({ socket: raw, servername: host, ca: opts.tls.ca, ALPNProtocols: ['http/1.1'] });
      sock = t;
      t.on('error', (e: NodeJS.ErrnoException) =>
        finish({ kind: 'error', phase, code: e.code ?? e.message, ms: Date.now() - t0 }),
      );
      t.on('secureConnect', send);
      t.on('data', (d) => {
        data += d.toString('latin1');
      });
      t.on('end', () => parse());
    });
    if (!opts.tls) {
      raw.on('data', (d) => {
        data += d.toString('latin1');
      });
      raw.on('end', () => parse());
    }
    function parse() {
      const head = data.indexOf('\r\n\r\n');
      if (head < 0) return finish({ kind: 'error', phase: 'response', code: 'EMPTY', ms: Date.now() - t0 });
      const lines = data.slice(0, head).split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      finish({ kind: 'response', status, headers, body: data.slice(head + 4), ms: Date.now() - t0 });
    }
  });
}

export type SmtpResult = { kind: 'banner'; line: string } | { kind: 'error'; code: string };

export function smtpBanner(address: string, port: number, timeoutMs = 1000): Promise<SmtpResult> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port });
    const timer = setTimeout(() => finish({ kind: 'error', code: 'TIMEOUT' }), timeoutMs);
    function finish(r: SmtpResult) {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    }
    s.on('error', (e: NodeJS.ErrnoException) => finish({ kind: 'error', code: e.code ?? e.message }));
    s.on('data', (d) => finish({ kind: 'banner', line: d.toString().split('\r\n')[0] }));
  });
}

/** Wait (in real time) until the world's simulated clock reaches `t`. */
export async function waitUntil(
  clock: { now(): number; toReal(ms: number): number },
  t: number,
): Promise<void> {
  const ms = clock.toReal(t - clock.now());
  if (ms > 0) await new Promise((r) => setTimeout(r, ms + 20));
}
