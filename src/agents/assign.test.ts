import { describe, expect, it } from 'vitest';
import { assignSites, chunkSites, vantagesOf } from './assign.ts';

const sites = Array.from({ length: 3000 }, (_, i) => ({ domain: `site-${i}.test` }));

describe('assignment', () => {
  it('gives each site k distinct vantages in slots 0..k-1, spread evenly', () => {
    const plan = assignSites(sites, ['a', 'b', 'c', 'd', 'e'], 3);
    const per = new Map<string, number[]>();
    for (const [v, list] of plan) {
      expect(list.length).toBeGreaterThan(1500); // 3 × 3000 / 5 = 1800 each
      expect(list.length).toBeLessThan(2100);
      for (const a of list) per.set(a.d, [...(per.get(a.d) ?? []), a.p]);
      expect(new Set(list.map((a) => a.d)).size).toBe(list.length);
      void v;
    }
    for (const slots of per.values()) expect(slots.sort()).toEqual([0, 1, 2]);
  });

  it('moves only the sites of a vantage that leaves, and gives them back when it returns', () => {
    const all = ['a', 'b', 'c', 'd'];
    const before = new Map(sites.map((s) => [s.domain, vantagesOf(s.domain, all, 3)]));
    let moved = 0;
    for (const s of sites) {
      const now = vantagesOf(s.domain, ['a', 'b', 'd'], 3);
      const was = before.get(s.domain)!;
      if (was.includes('c')) moved++;
      else expect(now).toEqual(was);
      expect(now).not.toContain('c');
    }
    expect(moved).toBeGreaterThan(0);
    for (const s of sites) expect(vantagesOf(s.domain, all, 3)).toEqual(before.get(s.domain));
  });

  it('uses every vantage when there are fewer than k', () => {
    expect(vantagesOf('x.test', ['a', 'b'], 3).sort()).toEqual(['a', 'b']);
    expect(vantagesOf('x.test', [], 3)).toEqual([]);
  });

  it('chunks big assignments into messages under the limit, losing nothing', () => {
    const list = assignSites(sites, ['a'], 1).get('a')!;
    const chunks = chunkSites(list, 8 * 1024);
    expect(chunks.length).toBeGreaterThan(5);
    const back = chunks.flatMap((c) => JSON.parse(new TextDecoder().decode(c)));
    expect(back).toEqual(list);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(8 * 1024);
    expect(chunkSites([]).length).toBe(1);
  });
});
