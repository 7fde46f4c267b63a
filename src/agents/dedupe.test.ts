import { describe, expect, it } from 'vitest';
import { SeenWindow } from './dedupe.ts';

describe('seen window', () => {
  it('remembers ranges per source, in any order, and merges them', () => {
    const w = new SeenWindow();
    w.add('a.1', 0, 500);
    w.add('a.1', 1000, 1500);
    expect(w.has('a.1', 499)).toBe(true);
    expect(w.has('a.1', 700)).toBe(false);
    expect(w.has('a.1', 1200)).toBe(true);
    expect(w.has('a.2', 0)).toBe(false);
    w.add('a.1', 500, 1000);
    for (const s of [0, 600, 999, 1499]) expect(w.has('a.1', s)).toBe(true);
    expect(w.has('a.1', 1500)).toBe(false);
  });

  it('starts mid-stream (a restarted core) without counting the gap below as seen', () => {
    const w = new SeenWindow();
    w.add('b.1', 50_000, 50_500);
    w.add('b.1', 50_500, 51_000);
    expect(w.has('b.1', 49_999)).toBe(false);
    expect(w.has('b.1', 50_999)).toBe(true);
  });

  it('is bounded in sources (least recently used forgotten)', () => {
    const w = new SeenWindow({ maxSources: 3 });
    for (const s of ['s1', 's2', 's3']) w.add(s, 0, 10);
    w.add('s1', 10, 20);
    w.add('s4', 0, 10);
    expect(w.size).toBe(3);
    expect(w.has('s2', 0)).toBe(false);
    expect(w.has('s1', 15)).toBe(true);
  });
});
