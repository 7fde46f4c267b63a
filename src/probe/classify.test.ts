import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/load.ts';
import type { DnsResult } from '../dns/types.ts';
import { classifyHttp, classifySmtp, dnsFailure, type Failure, failureSignature } from './classify.ts';

const catalog = loadCatalog();

describe('failureSignature', () => {
  const table: [Failure, string][] = [
    [{ phase: 'connect', code: 'ECONNREFUSED', timedOut: false }, 'refused'],
    [{ phase: 'connect', code: 'TIMEOUT', timedOut: true }, 'connect_timeout'],
    [{ phase: 'connect', code: 'ABORTED', timedOut: true }, 'connect_timeout'],
    [{ phase: 'connect', code: 'EHOSTUNREACH', timedOut: false }, 'connect_timeout'],
    [{ phase: 'connect', code: 'ECONNRESET', timedOut: false }, 'reset'],
    [{ phase: 'connect', code: 'EADDRNOTAVAIL', timedOut: false }, 'probe_error'],
    [{ phase: 'tls', code: 'CERT_HAS_EXPIRED', timedOut: false }, 'tls_expired'],
    [{ phase: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', timedOut: false }, 'tls_error'],
    [{ phase: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID', timedOut: false }, 'tls_error'],
    [{ phase: 'tls', code: 'ECONNRESET', timedOut: false }, 'reset'],
    [{ phase: 'tls', code: 'TIMEOUT', timedOut: true }, 'read_timeout'],
    [{ phase: 'response', code: 'TIMEOUT', timedOut: true }, 'read_timeout'],
    [{ phase: 'response', code: 'ECONNRESET', timedOut: false }, 'reset'],
    [{ phase: 'response', code: 'EPIPE', timedOut: false }, 'reset'],
    [{ phase: 'response', code: 'EMPTY', timedOut: false }, 'reset'],
    [{ phase: 'dns', code: 'TIMEOUT', timedOut: true }, 'dns_timeout'],
  ];
  it.each(table)('%j → %s', (f, sig) => expect(failureSignature(f)).toBe(sig));
});

describe('dnsFailure', () => {
  const answer = (rcode: string): DnsResult => ({
    kind: 'answer',
    rcode,
    answers: [],
    authorities: [],
    truncated: false,
    authoritative: false,
    via: 'udp',
    ms: 1,
  });
  it('maps rcodes, silence and empty answers', () => {
    expect(dnsFailure(answer('NXDOMAIN'), 0)?.signature).toBe('nxdomain');
    expect(dnsFailure(answer('SERVFAIL'), 0)?.signature).toBe('servfail');
    expect(dnsFailure(answer('REFUSED'), 0)?.signature).toBe('servfail');
    expect(dnsFailure({ kind: 'timeout', ms: 900 }, 0)?.signature).toBe('dns_timeout');
    expect(dnsFailure(answer('NOERROR'), 0)).toMatchObject({ signature: 'nxdomain', detail: /NODATA/ });
    expect(dnsFailure(answer('NOERROR'), 2)).toBeNull();
    expect(dnsFailure({ kind: 'error', code: 'EADDRNOTAVAIL', message: '' }, 0)?.signature).toBe(
      'probe_error',
    );
  });
});

describe('classifyHttp', () => {
  const cf522 =
    '<!DOCTYPE html><html><head><title>shop.test | 522: Connection timed out</title></head></html>';
  const cfEdge =
    '<html><body><center><h1>500 Internal Server Error</h1></center><hr><center>cloudflare</center>';
  const queue = '<html><body><h1>You are now in line</h1></body></html>';
  const cfRoom = '<html><head><title>Waiting Room powered by Cloudflare</title></head></html>';
  const c = (status: number, body = '', headers = {}, ms = 10) =>
    classifyHttp(status, body, headers, ms, 5000, catalog);

  it('tells a CDN’s origin-unreachable page from its own failure', () => {
    expect(c(522, cf522, { 'cf-ray': 'x', server: 'cloudflare' })).toMatchObject({
      signature: 'cdn_error',
      cdn: 'cloudflare',
      meaning: 'origin_unreachable',
      outcome: 'down',
    });
    expect(c(500, cfEdge, { server: 'cloudflare' })).toMatchObject({
      signature: 'cdn_error',
      cdn: 'cloudflare',
      meaning: 'edge_error',
    });
  });
  it('classes other statuses, and marks queue pages as overload', () => {
    expect(c(500, '<h1>Error 500</h1>')).toMatchObject({ signature: 'http_5xx', outcome: 'down' });
    expect(c(503, queue)).toMatchObject({ signature: 'http_5xx', queue: true, outcome: 'degraded' });
    expect(c(404)).toMatchObject({ signature: 'http_4xx', outcome: 'down' });
    expect(c(429)).toMatchObject({ signature: 'http_4xx', outcome: 'degraded' });
    expect(c(200, cfRoom)).toMatchObject({ signature: 'cdn_error', meaning: 'queue', queue: true });
  });
  it('calls a success slower than the threshold slow, on clock time', () => {
    expect(c(200, 'hello', {}, 4999)).toMatchObject({ signature: 'ok', outcome: 'up' });
    expect(c(301, '', {}, 8000)).toMatchObject({ signature: 'slow', outcome: 'degraded' });
  });
});

describe('classifySmtp', () => {
  it('reads banner codes', () => {
    expect(classifySmtp(220, 10, 5000)).toMatchObject({ signature: 'ok', outcome: 'up' });
    expect(classifySmtp(421, 10, 5000)).toMatchObject({ signature: 'smtp_4xx', outcome: 'degraded' });
    expect(classifySmtp(554, 10, 5000)).toMatchObject({ signature: 'smtp_5xx', outcome: 'down' });
    expect(classifySmtp(220, 9000, 5000)).toMatchObject({ signature: 'slow' });
  });
});
