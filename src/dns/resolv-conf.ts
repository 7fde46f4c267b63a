/** The system's resolver, from `/etc/resolv.conf` (the first `nameserver` line). */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { DnsServer } from './types.ts';

/** Parse resolv.conf text: the first valid `nameserver` address, port 53; null when there is none. */
export function parseResolvConf(text: string): DnsServer | null {
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const address = m[1].replace(/%.*$/, ''); // drop an IPv6 zone index
    if (net.isIP(address)) return { address, port: 53 };
  }
  return null;
}

/** Read the system resolver from `path` (default /etc/resolv.conf); null when unreadable or empty. */
export function systemResolver(path = '/etc/resolv.conf'): DnsServer | null {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** `ADDR`, `ADDR:PORT`, `[V6]:PORT` or a bare IPv6 → a server; null when unparseable. */
export function parseServer(text: string, defaultPort = 53): DnsServer | null {
  const t = text.trim();
  if (net.isIP(t)) return { address: t, port: defaultPort };
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(t) ?? /^([^:]+):(\d+)$/.exec(t);
  if (!m || !net.isIP(m[1])) return null;
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { address: m[1], port };
}
