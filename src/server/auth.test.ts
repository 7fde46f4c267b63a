/**
 * The API token: both hash formats verify, wrong tokens never block the event loop, and an address
 * sending wrong tokens is rate limited. The load test runs the attackers in a child process against a
 * real listening server, and measures `/api/health` from this process meanwhile.
 */
import { spawn } from 'node:child_process';
import { scryptSync } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
      const attackers = startAttackers(port, 8);
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

/** Latencies (ms, sorted) of sequential `GET /api/health` for `durationMs`. */
async function healthLatencies(port: number, agent: Agent, durationMs: number): Promise<number[]> {
  const ms: number[] = [];
  const deadline = performance.now() + durationMs;
  while (performance.now() < deadline) {
    const t = performance.now();
    const status = await get(port, '/api/health', agent);
    ms.push(performance.now() - t);
    expect(status).toBe(200);
  }
  return ms.sort((a, b) => a - b);
}

/** The `q` quantile of sorted values. */
function p(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(sorted.length * q) - 1)];
}

function get(port: number, path: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * `n` clients in a child process, each from its own loopback address, each sending wrong tokens (a
 * new random one every time) as fast as the server answers, until told to stop.
 */
function startAttackers(port: number, n: number) {
  const script = `
    const http = require('node:http');
    const { randomBytes } = require('node:crypto');
    const byStatus = {}; let total = 0; let stopping = false; let started = 0;
    const body = JSON.stringify({ sites: [{ domain: 'attack.example' }] });
    function run(i) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: '127.0.0.' + (10 + i) });
      let first = true;
      const once = () => {
        if (stopping) return;
        const req = http.request({ host: '127.0.0.1', port: ${port}, path: '/api/sites', method: 'POST', agent,
          headers: { authorization: 'Bearer wrong-' + randomBytes(16).toString('hex'), 'content-type': 'application/json' } },
          (res) => { res.resume(); res.on('end', () => {
            byStatus[res.statusCode] = (byStatus[res.statusCode] || 0) + 1; total++;
            if (first) { first = false; if (++started === ${n}) process.stdout.write('ready\\n'); }
            once();
          }); });
        req.on('error', () => setTimeout(once, 5));
        req.end(body);
      };
      once();
    }
    for (let i = 0; i < ${n}; i++) run(i);
    process.stdin.on('data', () => { stopping = true; process.stdout.write(JSON.stringify({ total, byStatus }) + '\\n'); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  // The attackers stand for other machines: on this one they yield the CPU to the server.
  if (child.pid) setPriority(child.pid, 19);
  let out = '';
  let onLine: ((line: string) => void) | null = null;
  child.stdout.on('data', (d) => {
    out += d;
    let k = out.indexOf('\n');
    while (k >= 0) {
      const line = out.slice(0, k);
      out = out.slice(k + 1);
      onLine?.(line);
      k = out.indexOf('\n');
    }
  });
  const next = () => new Promise<string>((resolve) => (onLine = resolve));
  const ready = next();
  let stopped: Promise<{ total: number; byStatus: Record<string, number> }> | null = null;
  return {
    ready,
    stop() {
      stopped ??=
        child.exitCode !== null
          ? Promise.resolve({ total: 0, byStatus: {} })
          : (async () => {
              const line = next();
              child.stdin.write('stop\n');
              return JSON.parse(await line);
            })();
      return stopped;
    },
  };
}
