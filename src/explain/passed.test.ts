/**
 * What a failure shows working (pure logic): a site whose web fails after its name was resolved
 * afresh shows its DNS provider answering, so a provider that hosts and serves DNS for the failing
 * sites is read as its hosting failing, not as the whole provider; when the names came from the
 * prober's cache, nothing counts against the provider (the two readings tie).
 */
import { describe, expect, it } from 'vitest';
import { many, mapWorld } from '../../test/support/explain/fixtures.ts';
import { infer } from './infer.ts';
import { buildRisk } from './risk.ts';
import { readRound } from './round.ts';
import { passed, ROLES } from './signals.ts';
import type { FailingService } from './types.ts';

// A host that also runs the name servers of the sites it hosts (as live-14's Scaleway did), and
// bystanders elsewhere.
const SITES = [
  ...many('hx{n}.test', 12, { hosting: { provider: 'hostx', plan: 'dedicated' } }),
  ...many('hz{n}.test', 30, { hosting: { provider: 'hetzner', plan: 'dedicated' } }),
];
const model = buildRisk(
  mapWorld(
    [
      { id: 'hostx', asn: 64600, org: 'HOSTX' },
      { id: 'hetzner', asn: 24940, org: 'Hetzner Online GmbH' },
    ],
    SITES,
  ),
);
const scw = SITES.filter((s) => s.domain.startsWith('hx')).map((s) => s.domain);
const all = (1 << ROLES.length) - 1;

const fail = (site: string, resolved: boolean): FailingService => ({
  site,
  role: 'web',
  state: 'down',
  signature: 'http_5xx',
  status: 502,
  since: 0,
  ...(resolved ? { resolved: true } : {}),
});

describe('passed', () => {
  it('shows the DNS working only when the failing probe resolved the name itself', () => {
    const dns = 1 << ROLES.indexOf('dns');
    expect(passed(fail('a.test', true), all) & dns).toBe(dns);
    expect(passed(fail('a.test', false), all) & dns).toBe(0);
    expect(passed({ role: 'web', signature: 'dns_timeout', resolved: true }, all)).toBe(0);
    const cdn = 1 << ROLES.indexOf('cdn');
    expect(passed({ role: 'web', signature: 'cdn_error', meaning: 'origin_unreachable' }, all)).toBe(cdn);
    expect(passed({ role: 'web', signature: 'cdn_error' }, all)).toBe(0);
  });
});

describe('a provider whose hosting fails while its name servers answer', () => {
  it('is read as its hosting when the names resolved afresh', () => {
    const keys = infer(
      model,
      scw.map((s) => fail(s, true)),
    ).causes.map((c) => c.key);
    expect(keys).toEqual(['role:hostx/hosting']);
  });

  it('counts each such site against the provider, and none when the names came from a cache', () => {
    const g = model.groups.findIndex((x) => x.key === 'provider:hostx');
    const role = model.groups.findIndex((x) => x.key === 'role:hostx/hosting');
    const fresh = readRound(
      model,
      scw.map((s) => fail(s, true)),
    );
    expect([fresh.contradicted[g], fresh.contradicted[role]]).toEqual([12, 0]);
    const cached = readRound(
      model,
      scw.map((s) => fail(s, false)),
    );
    expect([cached.contradicted[g], cached.contradicted[role]]).toEqual([0, 0]);
  });
});
