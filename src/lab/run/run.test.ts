/**
 * End to end: `vigie sim run --json` on a small world (100 sites, 60 simulated minutes at ×100),
 * as a child process, the way an evaluator runs it; then the shape of the result, the cause and the
 * score.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/vigie.js', import.meta.url));
const SCENARIO = fileURLToPath(new URL('./fixtures/small.yaml', import.meta.url));
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

describe('vigie sim run', () => {
  it('runs the pipeline end to end and scores it', { timeout: 120_000 }, () => {
    const r = spawnSync(process.execPath, [BIN, 'sim', 'run', SCENARIO, '--json'], {
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1); // one JSON object, nothing else on stdout
    const out = JSON.parse(lines[0]);
    expect(out).toMatchObject({ scenario: 'run-small', speed: 100, sites: 100 });
    expect(out.probes).toBeGreaterThan(5000);
    const s = out.score;
    expect(s.totals).toMatchObject({ entries: 1, matched: 1, wronglyBlamed: 0 });
    const inc = out.incidents.find((i: { id: string }) => i.id === s.entries[0].incident);
    expect(inc.cause).toEqual({
      provider: 'ovh',
      asn: 16276,
      name: 'OVH SAS',
      region: 'gra',
      plan: null,
      role: null,
      component: null,
    });
    expect(inc.kind).toBe('network');
    for (const k of ['startedAt', 'detectedAt', 'peakAt', 'resolvedAt']) expect(inc[k]).toMatch(ISO);
    expect(inc.detectedAt.endsWith('+02:00')).toBe(true);
    expect(inc.exonerated.map((e: { provider: string }) => e.provider)).toContain('hetzner');
    const e = s.entries[0];
    expect(e.affectedPrecision).toBeGreaterThanOrEqual(0.95);
    expect(e.affectedRecall).toBeGreaterThanOrEqual(0.95);
    // The target is 2 intervals; the bound leaves room for a machine shared with other jobs.
    expect(e.detectionDelay).toBeLessThanOrEqual(3 * 60);
    expect(e.resolutionDelay).toBeLessThanOrEqual(3 * 60);
  });

  it('exits 2 on an invalid scenario, with nothing on stdout', () => {
    const r = spawnSync(process.execPath, [BIN, 'sim', 'run', BIN, '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  });
});
