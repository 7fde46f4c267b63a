/**
 * SMTP on every mail host of the world: a banner, EHLO/HELO, MAIL, RCPT (where a per-domain fault
 * shows), QUIT. No mail is accepted: DATA is refused. When every domain a mail host serves is hit
 * by the same network-level fault, the whole host fails at connect time.
 */
import net from 'node:net';
import type { Effect } from '../scenario/types.ts';
import { onConnections, v4, type WorldContext } from './context.ts';
import { listen } from './dns-server.ts';

interface MailHost {
  address: string;
  host: string;
  provider: string;
  sites: number[];
  server: net.Server;
}

export class SmtpServers {
  private hosts: MailHost[] = [];

  constructor(
    private ctx: WorldContext,
    readonly port: number,
  ) {}

  async start(): Promise<void> {
    const byProvider = new Map<string, number[]>();
    for (const s of this.ctx.plan.sites) {
      if (!s.spec.mail) continue;
      const list = byProvider.get(s.spec.mail) ?? [];
      list.push(s.index);
      byProvider.set(s.spec.mail, list);
    }
    for (const [address, b] of this.ctx.plan.bindings) {
      if (b.kind !== 'mx') continue;
      const mh: MailHost = {
        address,
        host: b.host ?? address,
        provider: b.provider,
        sites: byProvider.get(b.provider) ?? [],
        server: net.createServer((s) => this.onConnection(mh, s)),
      };
      await listen(mh.server, this.port, address);
      this.hosts.push(mh);
    }
  }

  private hostEffect(mh: MailHost, t: number): Effect | null {
    let first: Effect | null = null;
    for (const s of mh.sites) {
      const e = this.ctx.engine.effectOn(s, 'mail', t)?.effect;
      if (!e || (first && first.kind !== e.kind)) return null;
      first = e;
    }
    return first;
  }

  private onConnection(mh: MailHost, sock: net.Socket): void {
    sock.on('error', () => {});
    this.ctx.hold(sock);
    sock.setTimeout(5 * 60_000, () => sock.destroy());
    const sender = onConnections(this.ctx.senderEffect(v4(sock.remoteAddress)));
    if (sender || this.ctx.lost()) {
      if (sender?.kind === 'refuse' || sender?.kind === 'reset') sock.resetAndDestroy();
      return;
    }
    const t0 = this.ctx.clock.now();
    const whole = this.hostEffect(mh, t0);
    if (whole?.kind === 'blackhole') return;
    if (whole?.kind === 'refuse' || whole?.kind === 'reset') return void sock.resetAndDestroy();
    if (whole?.kind === 'overload') {
      sock.end(`421 4.7.0 ${mh.host} Too many connections, try again later\r\n`);
      return;
    }
    sock.write(`220 ${mh.host} ESMTP ready\r\n`);
    let buf = '';
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 8192) return void sock.destroy();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        this.command(mh, sock, line);
      }
    });
  }

  private command(mh: MailHost, sock: net.Socket, line: string): void {
    const verb = line.slice(0, 4).toUpperCase();
    switch (verb) {
      case 'EHLO':
        return void sock.write(`250-${mh.host}\r\n250-SIZE 35882577\r\n250 8BITMIME\r\n`);
      case 'HELO':
        return void sock.write(`250 ${mh.host}\r\n`);
      case 'MAIL':
      case 'RSET':
      case 'NOOP':
        return void sock.write('250 2.0.0 OK\r\n');
      case 'RCPT':
        return this.rcpt(sock, line);
      case 'DATA':
        return void sock.write('554 5.7.1 This simulated host accepts no mail\r\n');
      case 'QUIT':
        return void sock.end('221 2.0.0 Bye\r\n');
      default:
        return void sock.write('502 5.5.2 Command not recognised\r\n');
    }
  }

  private rcpt(sock: net.Socket, line: string): void {
    const m = /@([^>\s]+)>?/.exec(line);
    const domain = m?.[1]?.toLowerCase();
    const site = domain === undefined ? undefined : this.ctx.plan.siteByDomain.get(domain);
    if (site === undefined) return void sock.write('550 5.1.1 No such domain here\r\n');
    const e = this.ctx.engine.effectOn(site, 'mail', this.ctx.clock.now())?.effect;
    switch (e?.kind) {
      case 'blackhole':
        return; // the host stops answering mid-dialogue
      case 'refuse':
      case 'reset':
        return void sock.resetAndDestroy();
      case 'overload':
        return void sock.write('421 4.7.0 Too many connections, try again later\r\n');
      case 'http_error':
        return void sock.write('451 4.3.0 Temporary local problem\r\n');
      case 'slow': {
        const timer = setTimeout(() => sock.write('250 2.1.5 OK\r\n'), this.ctx.clock.toReal(e.latencyMs));
        sock.once('close', () => clearTimeout(timer));
        return;
      }
      default:
        return void sock.write('250 2.1.5 OK\r\n');
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.hosts.map((h) => new Promise((r) => h.server.close(r))));
  }
}
