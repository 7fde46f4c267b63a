import type { Answer } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { DnsQuerier, DnsResult } from '../dns/types.ts';
import { TargetPolicy } from './address-policy.ts';
import { guardResolver, REFUSED_CODE, type RefusedResolution } from './guard-resolver.ts';

/** A resolver whose answers the test changes between queries (a name that re-resolves). */
function fakeResolver(table: Map<string, string[]>): DnsQuerier {
  return {
    async query(name, type): Promise<DnsResult> {
      const answers: Answer[] = (table.get(name) ?? [])
        .filter((a) => (type === 'AAAA') === a.includes(':'))
        .map((data) => ({ type: type as 'A', name, ttl: 60, data }));
      return {
        kind: 'answer',
        rcode: 'NOERROR',
        answers,
        authorities: [],
        truncated: false,
        authoritative: false,
        via: 'udp',
        ms: 1,
      };
    },
  };
}

describe('guardResolver', () => {
  it('passes public answers through untouched', async () => {
    const table = new Map([['good.example', ['93.184.216.34']]]);
    const r = await guardResolver(fakeResolver(table), TargetPolicy.strict()).query('good.example', 'A');
    expect(r.kind === 'answer' && r.answers.map((a) => (a as { data: unknown }).data)).toEqual([
      '93.184.216.34',
    ]);
  });

  it('catches a name that re-resolves to a private address', async () => {
    const table = new Map([['rebind.example', ['93.184.216.34']]]);
    const refusals: RefusedResolution[] = [];
    const q = guardResolver(fakeResolver(table), TargetPolicy.strict(), (r) => refusals.push(r));
    expect((await q.query('rebind.example', 'A')).kind).toBe('answer');
    table.set('rebind.example', ['169.254.169.254']);
    const r = await q.query('rebind.example', 'A');
    expect(r).toMatchObject({ kind: 'error', code: REFUSED_CODE });
    expect(refusals[0].refused[0]).toMatchObject({ class: 'metadata' });
  });

  it('keeps the allowed addresses of a mixed answer', async () => {
    const table = new Map([['mixed.example', ['10.0.0.1', '1.1.1.1']]]);
    const r = await guardResolver(fakeResolver(table), TargetPolicy.strict()).query('mixed.example', 'A');
    expect(r.kind === 'answer' && r.answers.map((a) => (a as { data: unknown }).data)).toEqual(['1.1.1.1']);
  });

  it('refuses IPv4-mapped IPv6 answers', async () => {
    const table = new Map([['v6.example', ['::ffff:127.0.0.1']]]);
    const r = await guardResolver(fakeResolver(table), TargetPolicy.strict()).query('v6.example', 'AAAA');
    expect(r).toMatchObject({ kind: 'error', code: REFUSED_CODE });
  });

  it('lets a simulation through', async () => {
    const table = new Map([['shop-1.test', ['127.17.1.1']]]);
    const policy = new TargetPolicy({ allowPrivate: true });
    const r = await guardResolver(fakeResolver(table), policy).query('shop-1.test', 'A');
    expect(r.kind).toBe('answer');
  });
});
