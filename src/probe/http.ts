/**
 * The HTTP(S) prober: the whole chain — resolve (unless given addresses), connect to the address it
 * resolved itself, TLS with the site as SNI when secure, `GET /` with the site as Host, status and
 * selected headers, the body's first KiB — then the verdict: CDN error page (with provider and
 * meaning), 5xx, 4xx, queue page, slow, or ok. The failing phase gives the signature otherwise.
 */
import type { Catalog } from '../catalog/match.ts';
import { classifyHttp } from './classify.ts';
import { dial } from './dial.ts';
import { addressOf, afterDial, begin, clockElapsed, end } from './observe.ts';
import { HttpReader } from './readers.ts';
import type { Prober } from './types.ts';

/** Headers kept besides the catalog's fingerprints. */
const SELECTED = ['server', 'retry-after', 'location'];
const wantedByCatalog = new WeakMap<Catalog, ReadonlySet<string>>();

/** Header names worth parsing for this catalog: the selected ones and every fingerprint header. */
export function wantedHeaders(catalog: Catalog): ReadonlySet<string> {
  let w = wantedByCatalog.get(catalog);
  if (!w) {
    w = new Set([...SELECTED, ...catalog.all().flatMap((e) => e.headers.map((h) => h.name.toLowerCase()))]);
    wantedByCatalog.set(catalog, w);
  }
  return w;
}

/** The request: HTTP/1.1, one connection, nothing a server needs to negotiate. */
export function requestFor(host: string): Buffer {
  return Buffer.from(
    `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nUser-Agent: Vigie\r\nAccept: */*\r\n\r\n`,
    'latin1',
  );
}

export const probeHttp: Prober = async (target, ctx, signal) => {
  const p = begin(target, ctx, 'http');
  const secure = target.secure === true;
  p.obs.scheme = secure ? 'https' : 'http';
  const address = await addressOf(p, target, ctx, signal);
  if (typeof address !== 'string') return address;
  const reader = new HttpReader(wantedHeaders(ctx.catalog), ctx.bodyCap);
  const d = await dial(
    {
      address,
      port: target.port ?? (secure ? ctx.ports.https : ctx.ports.http),
      localAddress: ctx.localAddress,
      tls: secure
        ? { servername: target.site, secureContext: ctx.secureContext, wantCert: false }
        : undefined,
      request: requestFor(target.site),
      reader,
      timeouts: ctx.timeouts,
    },
    signal,
  );
  const failed = afterDial(p, d);
  if (failed) return failed;
  p.obs.phase = 'response';
  if (reader.malformed) return end(p, { signature: 'reset', outcome: 'down', detail: 'malformed response' });
  p.obs.status = reader.status;
  p.obs.headers = reader.headers;
  const front = ctx.catalog.byHeaders(reader.headers)[0];
  if (front) p.obs.front = front.id;
  return end(
    p,
    classifyHttp(reader.status, reader.body(), reader.headers, clockElapsed(p, ctx), ctx.slowMs, ctx.catalog),
  );
};
