/**
 * Real receivers on loopback for tests and the bench: an HTTP server that records every POST
 * (and checks the webhook signature when given the secret), and an SMTP server (smtp-server) that
 * records every mail with its headers and decoded text and HTML parts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface HttpReceived {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: unknown;
  /** When a secret was given: whether X-Vigie-Signature matched. */
  signatureOk: boolean | null;
  at: number;
}

/**
 * An HTTP receiver on 127.0.0.1:0; `status` decides the answer (default 200; `hold`: never answer,
 * as a receiver the sender dies waiting for). Only answered 2xx requests count as received.
 */
export async function startHttpReceiver(
  o: { secret?: string; status?: (r: HttpReceived) => number | 'hold' } = {},
) {
  const received: HttpReceived[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let signatureOk: boolean | null = null;
      if (o.secret) {
        const want = Buffer.from(`sha256=${createHmac('sha256', o.secret).update(body).digest('hex')}`);
        const got = Buffer.from(String(req.headers['x-vigie-signature'] ?? ''));
        signatureOk = got.length === want.length && timingSafeEqual(got, want);
      }
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {}
      const r: HttpReceived = {
        path: req.url ?? '/',
        headers: req.headers,
        body,
        json,
        signatureOk,
        at: Date.now(),
      };
      const status = o.status?.(r) ?? 200;
      if (status === 'hold') return;
      if (status < 300) received.push(r);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface MailReceived {
  from: string;
  to: string[];
  headers: Map<string, string>;
  text: string;
  html: string;
  at: number;
}

function decode(body: string, encoding: string | undefined): string {
  const enc = (encoding ?? '7bit').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

function parseHeaders(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return out;
}

/** Split a MIME entity into its leaf parts (enough for what nodemailer writes). */
function parts(raw: string): { headers: Map<string, string>; body: string }[] {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = parseHeaders(raw.slice(0, split));
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!type.startsWith('multipart/') || !boundary) return [{ headers, body }];
  return body
    .split(`--${boundary}`)
    .slice(1, -1)
    .flatMap((p) => parts(p.replace(/^\r?\n/, '')));
}

/** A real SMTP server on 127.0.0.1:0 (no TLS, no auth) that keeps every mail. */
export async function startSmtpReceiver() {
  const received: MailReceived[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const all = parts(raw);
        const top = parseHeaders(raw.slice(0, raw.search(/\r?\n\r?\n/)));
        const pick = (t: string) => {
          const p = all.find((x) => (x.headers.get('content-type') ?? 'text/plain').startsWith(t));
          return p ? decode(p.body, p.headers.get('content-transfer-encoding')) : '';
        };
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          headers: top,
          text: pick('text/plain'),
          html: pick('text/html'),
          at: Date.now(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
