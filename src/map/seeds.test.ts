/**
 * Every seed scenario's world, mapped from outside: the DNS provider, CDN, platform, hosting
 * provider, region, plan and mail provider of every site must equal the scenario's.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapWorld, startTestWorld } from '../../test/support/map.ts';
import { loadScenario } from '../lab/scenario/load.ts';
import { scoreMapping } from '../lab/score/map.ts';

const dir = new URL('../../scenarios/', import.meta.url).pathname;
const seeds = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('mapping the seed worlds', () => {
  it.each(seeds)(
    '%s: every site mapped exactly',
    async (file) => {
      const scenario = loadScenario(`${dir}${file}`);
      // Faults and noise are about later stages: map the world as it is before they start.
      const world = await startTestWorld({
        ...scenario,
        faults: [],
        noise: { siteFailures: 0, probeLoss: 0 },
      });
      try {
        const report = await mapWorld(world);
        const score = scoreMapping(scenario, report.domains);
        expect(score.misses).toEqual([]);
        expect(score.accuracy).toBe(1);
      } finally {
        await world.stop();
      }
    },
    60_000,
  );
});
