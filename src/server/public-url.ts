/**
 * The server's public base URL: where readers reach the dashboard and the API. Every outward link
 * (Statuspage `page.url` and incident `shortlink`, Atom entries) is built from it. Configured
 * (`public_url`, `VIGIE_PUBLIC_URL`, `vigie demo --public-url`), or derived from the address the
 * server actually listens on — so `--port 0` still gives links that resolve.
 */
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';

/**
 * Check and normalise a configured public URL: http(s), no query or fragment, no trailing slash
 * (`https://status.example/vigie/` → `https://status.example/vigie`). Throws a message on anything else.
 */
export function normalizePublicUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`not a URL: ${JSON.stringify(text)} (expected e.g. https://status.example.org)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`expected an http:// or https:// URL, not ${u.protocol}`);
  if (u.search || u.hash) throw new Error('a public URL has no query string or fragment');
  if (u.username || u.password) throw new Error('a public URL carries no credentials');
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

/**
 * The base URL of a listening socket: `http://HOST:PORT`, with the wildcard addresses (0.0.0.0, ::)
 * shown as `localhost` (the one name sure to reach it from the machine itself) and IPv6 in brackets.
 */
export function listenUrl(address: AddressInfo | string | null, fallback = 'http://localhost'): string {
  if (!address || typeof address === 'string') return fallback;
  const host = address.address;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : isIP(host) === 6 ? `[${host}]` : host;
  return `http://${shown}:${address.port}`;
}

/**
 * An incident's permanent link: `BASE/incidents/ID`, a route that redirects to the dashboard's
 * `#/incident/ID` (a fragment never reaches a server, so the permalink is a real path).
 */
export function incidentUrl(base: string, id: string): string {
  return `${base.replace(/\/+$/, '')}/incidents/${encodeURIComponent(id)}`;
}
