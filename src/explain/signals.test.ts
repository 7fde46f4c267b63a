import { describe, expect, it } from 'vitest';
import { CDN, DNS, HOSTING, implicated, kindOf, PLATFORM, serviceIndex } from './signals.ts';

const mask = (...roles: number[]) => roles.reduce((m, r) => m | (1 << r), 0);
/** A CDN-fronted site whose origin host the map knows. */
const FRONTED = mask(HOSTING, DNS, CDN);

describe('implicated: what a failure can point at', () => {
  it('reads an unbranded 5xx on a CDN-fronted site as the edge’s or the origin’s, for the likelihood to decide', () => {
    expect(implicated({ role: 'web', signature: 'http_5xx', status: 500 }, FRONTED)).toBe(mask(HOSTING, CDN));
    // 503 without a page: overload of the site, or the edge failing with a page Vigie does not know.
    expect(implicated({ role: 'web', signature: 'http_5xx', status: 503 }, FRONTED)).toBe(mask(HOSTING, CDN));
  });

  it('reads a 503 as the site’s platform’s, or else its host’s servers’; a slow answer never names a host', () => {
    expect(implicated({ role: 'web', signature: 'slow' }, mask(HOSTING, DNS))).toBe(0);
    expect(implicated({ role: 'web', signature: 'http_5xx', status: 503 }, mask(HOSTING))).toBe(
      mask(HOSTING),
    );
    expect(implicated({ role: 'web', signature: 'slow' }, mask(HOSTING, PLATFORM))).toBe(mask(PLATFORM));
  });

  it('keeps what a signed page or a queue says', () => {
    const origin = {
      role: 'web' as const,
      signature: 'cdn_error' as const,
      status: 522,
      meaning: 'origin_unreachable' as const,
    };
    expect(implicated(origin, FRONTED)).toBe(mask(HOSTING));
    expect(implicated({ ...origin, status: 500, meaning: 'edge_error' }, FRONTED)).toBe(mask(CDN));
    const queue = {
      role: 'web' as const,
      signature: 'http_5xx' as const,
      status: 503,
      meaning: 'queue' as const,
    };
    expect(implicated(queue, mask(HOSTING, CDN, PLATFORM))).toBe(mask(PLATFORM));
    expect(implicated({ role: 'web', signature: 'slow' }, mask(HOSTING, CDN, PLATFORM))).toBe(mask(PLATFORM));
  });

  it('reads a certificate checked apart (tls) as the web probe’s own TLS failure', () => {
    for (const signature of ['tls_expired', 'tls_error'] as const) {
      for (const role of ['web', 'tls'] as const) {
        // The edge serves a CDN-fronted site's certificate; else the platform's front end or the host.
        expect(implicated({ role, signature }, FRONTED)).toBe(mask(CDN));
        expect(implicated({ role, signature }, mask(HOSTING, DNS, PLATFORM))).toBe(mask(PLATFORM, HOSTING));
        expect(implicated({ role, signature }, mask(HOSTING, DNS))).toBe(mask(HOSTING));
        expect(kindOf({ role, signature })).toBe('tls');
      }
    }
    // The check cannot connect: read like the web failing to.
    expect(implicated({ role: 'tls', signature: 'connect_timeout' }, FRONTED)).toBe(mask(CDN));
    // The same unit as the web: a site failing both counts once.
    expect(serviceIndex('tls')).toBe(serviceIndex('web'));
  });
});
