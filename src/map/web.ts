/**
 * The HTTP(S) look at a site: one GET with the site's Host to one of its addresses (headers are the
 * CDN/platform fingerprints), and one TLS handshake with its SNI (the certificate's issuer). Short
 * timeouts, bodies capped, failures as data — a mapping run must not stall on one bad server.
 */
import http from 'node:http';
import tls from 'node:tls';

/** What came back from a GET. */
export type HttpOutcome =
  | { kind: 'response'; status: number; headers: http.IncomingHttpHeaders }
  | { kind: 'error'; code: string };

/** Bytes of body read at most: the mapper only needs headers, the rest is drained up to this. */
const BODY_CAP = 64 * 1024;

/**
 * GET / from `address:port` with `Host: host`. `agent` lets callers keep one connection per
 * address across the domains it serves (virtual hosts on a shared address, CDN edges).
 */
export function httpGet(
  address: string,
  port: number,
  host: string,
  opts: { timeoutMs: number; agent?: http.Agent; localAddress?: string },
): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: HttpOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = http.request({
      host: address,
      port,
      path: '/',
      method: 'GET',
      agent: opts.agent ?? false,
      localAddress: opts.localAddress,
      headers: { host, 'user-agent': 'vigie-map/0.1', accept: '*/*' },
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ kind: 'error', code: 'TIMEOUT' });
    }, opts.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => finish({ kind: 'error', code: e.code ?? e.message }));
    req.on('response', (res) => {
      let seen = 0;
      res.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > BODY_CAP) res.destroy();
      });
      res.on('error', () => {});
      // Headers are all the mapper needs; the body is read (to keep the connection reusable) or dropped.
      res.on('end', () => finish({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers }));
      res.on('close', () => finish({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.end();
  });
}

/** The certificate a server presents for `servername`. */
export type TlsOutcome =
  | { kind: 'cert'; issuer: string | null; authorized: boolean; reason?: string }
  | { kind: 'error'; code: string };

/** A client context trusting the system roots plus `ca` (PEM), to share across handshakes. */
export function clientContext(ca?: string): tls.SecureContext {
  return tls.createSecureContext(ca ? { ca: [...tls.rootCertificates, ca] } : {});
}

/** Handshake with `address:port` for `servername`; reads the issuer's organisation (else CN). */
export function tlsIssuer(
  address: string,
  port: number,
  servername: string,
  opts: { timeoutMs: number; secureContext?: tls.SecureContext; localAddress?: string },
): Promise<TlsOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const sock = tls.connect({
      host: address,
      port,
      servername,
      // One context for the whole run: building one per connection would re-parse the roots each time.
      secureContext: opts.secureContext,
      // Passed on to the underlying net.Socket#connect (not in tls.ConnectionOptions' type).
      ...({ localAddress: opts.localAddress } as object),
      // The issuer is wanted even from a certificate that does not verify; verification is reported.
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const finish = (r: TlsOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ kind: 'error', code: 'TIMEOUT' }), opts.timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) => finish({ kind: 'error', code: e.code ?? e.message }));
    sock.on('secureConnect', () => {
      const cert = sock.getPeerCertificate();
      const issuer = cert?.issuer ? (first(cert.issuer.O) ?? first(cert.issuer.CN) ?? null) : null;
      const reason = sock.authorizationError ? String(sock.authorizationError) : undefined;
      finish({ kind: 'cert', issuer, authorized: sock.authorized, ...(reason ? { reason } : {}) });
    });
  });
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
