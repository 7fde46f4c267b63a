/**
 * The API token: both hash formats verify, wrong tokens never block the event loop, and an address
 * sending wrong tokens is rate limited. The load test runs the attackers in a child process (at normal
 * priority: they compete with the server for this machine's CPUs) against a real listening server,
 * and measures `/api/health` from this process meanwhile. Figures: `npm run bench -- auth-flood`.
 */
import { scryptSync } from 'node:crypto';
import { Agent } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { healthLatencies, p, startAttackers } from '../../test/support/attackers.ts';
import { type Fixture, fixture, TOKEN } from '../../test/support/server.ts';
import { hashToken, isLegacyTokenHash, isTokenHash, TokenVerifier } from './auth.ts';

/** A hash in the format earlier versions wrote (scrypt, N = 16384). */
function legacyHash(token: string): string {
  const salt = Buffer.alloc(16, 3);
  const hash = scryptSync(token, salt, 32, { N: 16_384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
}
const LEGACY = legacyHash(TOKEN);

describe('token hashes', () => {
  it('writes salted SHA-256 hashes and accepts both formats', async () => {
    const h = hashToken(TOKEN);
    expect(h).toMatch(/^sha256\$/);
    expect(hashToken(TOKEN)).not.toBe(h); // salted
    expect(isTokenHash(h) && isTokenHash(LEGACY)).toBe(true);
    expect(isLegacyTokenHash(LEGACY) && !isLegacyTokenHash(h)).toBe(true);
    expect(isTokenHash('scrypt$1048576$8$1$AAAA$AAAA')).toBe(false); // too much memory
    for (const hash of [h, LEGACY]) {
      const v = new TokenVerifier(hash);
      expect(await v.verify(TOKEN)).toBe(true);
      expect(await v.verify(`${TOKEN}x`)).toBe(false);
      expect(await v.verify('')).toBe(false);
    }
  });

  it('verifies an older scrypt hash without blocking the event loop', async () => {
    const v = new TokenVerifier(LEGACY);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const results = await Promise.all([v.verify('wrong-1-0123456789abcdef'), v.verify(TOKEN)]);
    clearInterval(timer);
    expect(results).toEqual([false, true]);
    // Two scrypt runs take tens of ms: a synchronous one would leave the timer no tick at all.
    expect(ticks).toBeGreaterThan(2);
  });
});

describe('failed authentications', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });
  afterEach(() => f.close());

  it('rate limits an address after its wrong tokens, and still lets the right token in', async () => {
    let now = 1_000_000;
    const app = await f.build({ auth: { maxFailures: 3, windowMs: 60_000, now: () => now } });
    const post = (token: string) =>
      app.inject({
        method: 'POST',
        url: '/api/incidents/inc-2/acknowledge',
        headers: { authorization: `Bearer ${token}` },
        payload: {},
      });
    for (let i = 0; i < 3; i++) expect((await post(`wrong-${i}-0123456789`)).statusCode).toBe(401);
    const limited = await post('wrong-3-0123456789');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('VIGIE_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post(TOKEN)).statusCode).toBe(200);
    now += 60_001;
    expect((await post('wrong-4-0123456789')).statusCode).toBe(401);
  });

  it.each([
    ['salted SHA-256', hashToken(TOKEN)],
    ['older scrypt', LEGACY],
  ])(
    '8 concurrent wrong-token clients leave /api/health p99 under 50 ms (%s hash)',
    async (_name, tokenHash) => {
      const app = await f.build({ tokenHash });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as { port: number };
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      // The same measure with no attack: what this machine gives anyway (other work shares its CPUs).
      const idle = await healthLatencies(port, agent, 2_000);
      const attackers = startAttackers(port, 8, 0);
      try {
        await attackers.ready;
        const attacked = await healthLatencies(port, agent, 4_000);
        const counts = await attackers.stop();
        // The attack ran: every attacker was answered, with 401s and 429s only.
        expect(counts.total).toBeGreaterThanOrEqual(8);
        expect(Object.keys(counts.byStatus)).toContain('401');
        expect(Object.keys(counts.byStatus).every((s) => s === '401' || s === '429')).toBe(true);
        const [p99, idleP99] = [p(attacked, 0.99), p(idle, 0.99)];
        const summary =
          `under attack: ${attacked.length} requests, p50 ${p(attacked, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; ` +
          `idle: p99 ${idleP99.toFixed(1)} ms; attackers answered ${JSON.stringify(counts)}`;
        expect(attacked.length, summary).toBeGreaterThan(50);
        // 50 ms on top of what the machine gives with no attack at all (a few ms when it is not loaded).
        expect(p99, summary).toBeLessThan(50 + idleP99);
      } finally {
        agent.destroy();
        await attackers.stop();
      }
    },
  );
});
