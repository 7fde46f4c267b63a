/**
 * Certificates checked apart, end to end: `vigie sim run --json` on
 * `test/fixtures/scenarios/cdn-certificate-expiry.yaml` (120 sites, two vantages, ×100: HTTPS on every
 * probe would be 400 handshakes per real second, over the budget, so the web is probed over HTTP),
 * where Cloudflare's certificate expires on the 40 sites it fronts from 10:10 to 10:30. The
 * certificate check — one vantage, its own interval — must see it; the independent scorer must find
 * Cloudflare's CDN blamed at exactly that granularity with nothing wrongly blamed; and the HTTP
 * service of those sites, which kept answering, must never have been held down (every confirmed
 * transition is read from `VIGIE_TRACE_TRANSITIONS`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/vigie.js', import.meta.url));
const SCENARIO = fileURLToPath(
  new URL('../../../test/fixtures/scenarios/cdn-certificate-expiry.yaml', import.meta.url),
);
/** The sites Cloudflare fronts (store-*: OVH origins, news-*: Hetzner origins). */
const FRONTED = /^(store|news)-\d+\.test$/;

interface Transition {
  site: string;
  role: string;
  to: string;
  signature: string;
}

describe('vigie sim run: certificates checked apart when HTTPS is over the handshake budget', () => {
  it('blames the CDN for an expired certificate, its sites’ HTTP never down', { timeout: 150_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-certs-'));
    try {
      const trace = join(dir, 'transitions.jsonl');
      const r = spawnSync(process.execPath, [BIN, 'sim', 'run', SCENARIO, '--json'], {
        encoding: 'utf8',
        timeout: 140_000,
        env: { ...process.env, VIGIE_TRACE_TRANSITIONS: trace },
      });
      expect(r.status, r.stderr.slice(-3000)).toBe(0);
      // The web over HTTP, the certificates from one vantage every 120 ÷ 150 s × 100 = 80 s (a map
      // that missed a certificate or two on a loaded machine makes it a second shorter each).
      expect(r.stderr).toMatch(/HTTPS probing off: (11\d|120) sites with a certificate × 2 vantages/);
      const every = /certificates checked every (\d+) s from paris/.exec(r.stderr);
      expect(Number(every?.[1])).toBeGreaterThanOrEqual(75);
      expect(Number(every?.[1])).toBeLessThanOrEqual(80);
      const out = JSON.parse(r.stdout.trim().split('\n').pop() as string);
      expect(out.sites).toBe(120);
      const s = out.score;
      const show = JSON.stringify(
        out.incidents.map((i: { cause: unknown; signature: string; affected: string[] }) => [
          i.cause,
          i.signature,
          i.affected.length,
        ]),
      );
      expect(s.totals, show).toMatchObject({ entries: 1, matched: 1, wronglyBlamed: 0 });
      const inc = out.incidents.find((i: { id: string }) => i.id === s.entries[0].incident);
      expect(inc.cause).toMatchObject({ provider: 'cloudflare', role: 'cdn', region: null, plan: null });
      expect(inc.kind).toBe('tls');
      expect(inc.signature).toBe('tls_expired');
      expect(s.entries[0].affectedPrecision).toBeGreaterThanOrEqual(0.95);
      expect(s.entries[0].affectedRecall).toBeGreaterThanOrEqual(0.95);

      const transitions: Transition[] = readFileSync(trace, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const failed = (t: Transition) => t.to === 'down' || t.to === 'degraded';
      // The certificate service of the fronted sites went down with the expired certificate…
      const expired = new Set(
        transitions
          .filter((t) => t.role === 'tls' && failed(t) && t.signature === 'tls_expired')
          .map((t) => t.site),
      );
      expect(expired.size).toBeGreaterThanOrEqual(38);
      for (const site of expired) expect(site).toMatch(FRONTED);
      // …while their HTTP, which kept answering, never did.
      const webDown = transitions.filter((t) => t.role === 'web' && failed(t) && FRONTED.test(t.site));
      expect(webDown).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
