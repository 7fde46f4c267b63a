import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.ts';
import { ReportDetector } from './detector.ts';
import { networkOf, reporterId } from './identity.ts';
import { ReportIntake } from './intake.ts';
import { BucketTable } from './limits.ts';

const T0 = Date.UTC(2021, 9, 13, 7, 0);
const SECRET = Buffer.alloc(32, 1);

function setup(watched = ['a.test', 'b.test']) {
  const clock = new ManualClock(T0);
  const detector = new ReportDetector(clock);
  const set = new Set(watched);
  const intake = new ReportIntake(clock, detector, (d) => set.has(d), { secret: SECRET, filterBits: 18 });
  return { clock, detector, intake };
}
const src = (i: number, ua = 'ua') => ({ address: `10.${(i >> 8) & 255}.${i & 255}.1`, userAgent: ua });

describe('identity', () => {
  it('hashes the reporter with the secret, never keeping the address', () => {
    const a = reporterId(SECRET, '192.0.2.1', 'x');
    expect(a).toBe(reporterId(SECRET, '192.0.2.1', 'x'));
    expect(a).not.toBe(reporterId(SECRET, '192.0.2.1', 'y'));
    expect(a).not.toBe(reporterId(Buffer.alloc(32, 2), '192.0.2.1', 'x'));
    expect(Number.isSafeInteger(a)).toBe(true);
  });

  it.each([
    ['192.0.2.77', '192.0.2'],
    ['::ffff:192.0.2.77', '192.0.2'],
    ['2001:db8:1234:5678::1', '2001:db8:1234'],
    ['2001:db8::1', '2001:db8:0'],
    ['::1', '0:0:0'],
  ])('network of %s is %s', (address, network) => {
    expect(networkOf(address)).toBe(network);
  });
});

describe('ReportIntake', () => {
  it('counts one report per reporter per site per window', () => {
    const { clock, intake, detector } = setup();
    expect(intake.accept({ domain: 'a.test', problem: 'site' }, src(1))).toEqual({ status: 'accepted' });
    expect(intake.accept({ domain: 'a.test', problem: 'login' }, src(1))).toEqual({
      status: 'duplicate',
      reason: 'reporter',
    });
    expect(intake.accept({ domain: 'b.test', problem: 'site' }, src(1)).status).toBe('accepted');
    clock.advance(14 * 60_000);
    expect(intake.accept({ domain: 'a.test', problem: 'site' }, src(1)).status).toBe('duplicate');
    clock.advance(7 * 60_000);
    expect(intake.accept({ domain: 'a.test', problem: 'site' }, src(1)).status).toBe('accepted');
    expect(detector.curve('a.test', T0, clock.now() + 60_000).total).toBe(2);
  });

  it('refuses unwatched sites and keeps nothing about them', () => {
    const { intake, detector } = setup();
    expect(intake.accept({ domain: 'other.test', problem: 'site' }, src(1)).status).toBe('unknown_site');
    expect(detector.stats().sites).toBe(0);
  });

  it('limits each reporter', () => {
    const { intake } = setup(Array.from({ length: 50 }, (_, i) => `s${i}.test`));
    const results = Array.from({ length: 20 }, (_, i) =>
      intake.accept({ domain: `s${i}.test`, problem: 'site' }, src(1)),
    );
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(10);
    expect(results[10]).toMatchObject({ status: 'rate_limited', scope: 'reporter' });
  });

  it('limits each network, whatever user agents it rotates', () => {
    const { intake } = setup(Array.from({ length: 500 }, (_, i) => `s${i}.test`));
    const results = Array.from({ length: 400 }, (_, i) =>
      intake.accept({ domain: `s${i}.test`, problem: 'site' }, src(1, `agent-${i}`)),
    );
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(300);
    expect(results[399]).toMatchObject({ status: 'rate_limited', scope: 'network' });
  });

  it('counts at most 3 reports per network per site in a window', () => {
    const { intake } = setup();
    const results = Array.from({ length: 10 }, (_, i) =>
      intake.accept({ domain: 'a.test', problem: 'site' }, src(1, `agent-${i}`)),
    );
    expect(results.map((r) => r.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      ...Array(7).fill('duplicate'),
    ]);
  });

  it('a flood from one source opens nothing', () => {
    const { clock, intake, detector } = setup();
    for (let i = 0; i < 1000; i++) {
      intake.accept({ domain: 'a.test', problem: 'site' }, src(1, `agent-${i}`));
      clock.advance(200);
    }
    const spike = detector.spike('a.test');
    expect(spike.count).toBeLessThanOrEqual(3);
    expect(spike.level).toBe('none');
  });

  it('keeps every structure bounded, whatever the load', () => {
    const clock = new ManualClock(T0);
    const detector = new ReportDetector(clock, { maxSites: 100, maxEntries: 1000 });
    const intake = new ReportIntake(clock, detector, () => true, {
      secret: SECRET,
      filterBits: 16,
      maxReporters: 500,
      maxNetworks: 200,
      network: { burst: 1e9, perHour: 1e9 },
    });
    for (let i = 0; i < 20_000; i++) {
      intake.accept({ domain: `s${i % 3000}.test`, problem: 'site' }, src(i, `ua${i}`));
      if (i % 100 === 0) clock.advance(60_000);
    }
    expect(intake.stats()).toMatchObject({ reporters: 500, networks: 200 });
    expect(detector.stats().sites).toBeLessThanOrEqual(100);
    expect(detector.stats().entries).toBeLessThanOrEqual(1000);
  });
});

describe('BucketTable', () => {
  it('refills at its sustained rate', () => {
    const t = new BucketTable<string>({ burst: 2, perHour: 60 }, 10);
    expect([t.take('k', 0), t.take('k', 0)]).toEqual([0, 0]);
    expect(t.take('k', 0)).toBe(60_000);
    expect(t.take('k', 60_000)).toBe(0);
  });
});
