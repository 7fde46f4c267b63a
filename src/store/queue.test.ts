import { describe, expect, it } from 'vitest';
import { WriteQueue } from './queue.ts';

describe('WriteQueue', () => {
  it('never runs two writes at once and keeps order', async () => {
    const written: number[][] = [];
    let running = 0;
    let overlap = false;
    const q = new WriteQueue<number>(
      async (items) => {
        running++;
        if (running > 1) overlap = true;
        await new Promise((r) => setTimeout(r, 5));
        written.push(items);
        running--;
      },
      { intervalMs: 1_000, flushRows: 3, maxQueued: 100 },
    );
    for (let i = 0; i < 10; i++) await q.push([i]);
    await q.flush();
    expect(overlap).toBe(false);
    expect(written.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('reports a background failure to onError and to the next flush', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const q = new WriteQueue<number>(
      async () => {
        if (fail) throw new Error('disk full');
      },
      { intervalMs: 10, flushRows: 1_000, maxQueued: 1_000, onError: (e) => errors.push(e) },
    );
    await q.push([1]);
    await expect.poll(() => errors.length).toBe(1);
    await expect(q.flush()).rejects.toThrow('disk full');
    fail = false;
    await q.push([2]);
    await expect(q.flush()).resolves.toBeUndefined();
  });

  it('makes push wait when too much is queued', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const q = new WriteQueue<number>(() => gate, { intervalMs: 1_000, flushRows: 2, maxQueued: 3 });
    await q.push([1, 2]); // starts a write that blocks on the gate
    let done = false;
    const waiting = q.push([3, 4, 5, 6]).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    release();
    await waiting;
    expect(done).toBe(true);
    await q.flush();
  });
});
