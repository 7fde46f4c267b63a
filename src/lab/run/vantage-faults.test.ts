/**
 * Vantage faults through agents, end to end: `vigie sim run SCENARIO --agents 3 --json` as a child
 * process (the world, three `vigie agent` processes over the real NATS server, the core) on two
 * scenarios of `test/fixtures/scenarios/`:
 *
 * - `vantage-network-loss`: lyon loses its own network 10:08–10:18 while the world is fine — nothing
 *   may be blamed, and nothing may open for lyon's loss;
 * - `vantage-loss-during-outage`: Hetzner is blackholed 10:06–10:20 and lyon loses its network
 *   10:09–10:16 in the middle of it — Hetzner, and only Hetzner, is blamed; nothing opens for lyon.
 *
 * "Opened for the vantage's loss": an incident other than the real fault's that starts while the
 * vantage is down (or within two probe intervals after) with the signatures a lost network gives —
 * timeouts. A machine shared with other jobs may add a slow lone site now and then: that is not the
 * vantage's doing, and is not counted against it.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/vigie.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/scenarios/', import.meta.url));
const NATS = process.env.VIGIE_TEST_NATS ?? 'nats://127.0.0.1:4222';
const LOST_NETWORK = new Set(['dns_timeout', 'connect_timeout', 'read_timeout']);

interface RunIncident {
  id: string;
  cause: { provider: string | null; component: string | null; region: string | null; role: string | null };
  signature: string;
  startedAt: string;
  affected: string[];
}

interface RunResult {
  sites: number;
  probes: number;
  incidents: RunIncident[];
  score?: {
    totals: { entries: number; matched: number; wronglyBlamed: number };
    entries: { incident: string | null; affectedPrecision: number; affectedRecall: number }[];
  };
}

function simRun(file: string): RunResult {
  const r = spawnSync(
    process.execPath,
    [BIN, 'sim', 'run', `${FIXTURES}${file}`, '--agents', '3', '--nats', NATS, '--json'],
    { encoding: 'utf8', timeout: 170_000 },
  );
  expect(r.status, `sim run ${file} failed:\n${(r.stderr ?? '').slice(-3000)}`).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as RunResult;
}

/** What an incident is, in one line (for failure messages). */
const show = (i: RunIncident) =>
  `${i.id} ${i.cause.provider ?? i.cause.component} ${i.signature} from ${i.startedAt}, ${i.affected.length} sites`;

/** Incidents that started in [from, to] (local times of 2024-05-02, Europe/Paris) with timeout signatures. */
function openedDuring(incidents: RunIncident[], from: string, to: string): RunIncident[] {
  const t = (hhmm: string) => Date.parse(`2024-05-02T${hhmm}:00+02:00`);
  return incidents.filter((i) => {
    const at = Date.parse(i.startedAt);
    return at >= t(from) && at <= t(to) && LOST_NETWORK.has(i.signature);
  });
}

describe('vigie sim run --agents 3 with vantage faults', () => {
  it('opens nothing when one vantage loses its network alone', { timeout: 180_000 }, () => {
    const out = simRun('vantage-network-loss.yaml');
    expect(out.sites).toBe(120);
    expect(out.probes).toBeGreaterThan(5000);
    const blamed = out.incidents.filter((i) => i.cause.provider !== null);
    expect(blamed.map(show), 'no provider is to blame').toEqual([]);
    // lyon is down 10:08–10:18; two probe intervals more for what it saw to be confirmed.
    expect(openedDuring(out.incidents, '10:08', '10:20').map(show), 'opened for lyon’s own loss').toEqual([]);
  });

  it('blames only the real outage when a vantage loses its network during it', { timeout: 180_000 }, () => {
    const out = simRun('vantage-loss-during-outage.yaml');
    expect(out.sites).toBe(120);
    const s = out.score!;
    expect(s.totals, out.incidents.map(show).join('\n')).toMatchObject({
      entries: 1,
      matched: 1,
      wronglyBlamed: 0,
    });
    const real = out.incidents.find((i) => i.id === s.entries[0].incident)!;
    expect(real.cause).toMatchObject({ provider: 'hetzner', region: null, role: null, component: null });
    expect(s.entries[0].affectedPrecision).toBeGreaterThanOrEqual(0.9);
    expect(s.entries[0].affectedRecall).toBeGreaterThanOrEqual(0.9);
    const others = out.incidents.filter((i) => i.id !== real.id);
    expect(
      others.filter((i) => i.cause.provider !== null && i.cause.provider !== 'hetzner').map(show),
      'no other provider is to blame',
    ).toEqual([]);
    // lyon is down 10:09–10:16; two probe intervals more.
    expect(openedDuring(others, '10:09', '10:18').map(show), 'opened for lyon’s own loss').toEqual([]);
  });
});
