import { describe, expect, it } from 'vitest';
import { SuffixIndex } from './suffix.ts';

describe('SuffixIndex', () => {
  const index = new SuffixIndex();
  index.add('cloudflare.net', 'broad');
  index.add('cdn.cloudflare.net', 'narrow');
  index.add('awsdns-*.org', 'aws');

  it.each([
    ['cdn.cloudflare.net', 'narrow'],
    ['x.cdn.cloudflare.net', 'narrow'],
    ['X.CDN.Cloudflare.NET.', 'narrow'],
    ['other.cloudflare.net', 'broad'],
    ['cloudflare.net', 'broad'],
    ['ns-1.awsdns-12.org', 'aws'],
    ['ns-1.awsdns-.org', 'aws'],
    ['notcloudflare.net', null],
    ['xcdn.cloudflare.net', 'broad'],
    ['cloudflare.net.example', null],
    ['ns-1.awsdns-12.org.example', null],
    ['ns-1.xawsdns-12.org', null],
    ['net', null],
    ['', null],
  ])('%s → %s', (host, id) => {
    expect(index.lookup(host)?.id ?? null).toBe(id);
  });

  it('reports the id already holding a suffix', () => {
    expect(index.add('CDN.cloudflare.net.', 'again')).toBe('narrow');
    expect(index.add('cdn.cloudflare.net', 'narrow')).toBeUndefined();
  });
});
