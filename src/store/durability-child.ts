/**
 * Child process of the durability test: opens the store at argv[2], flushes some observations,
 * records argv[3] transitions one awaited call at a time, prints `committed`, then freezes without
 * closing anything — so the parent's SIGKILL lands right after the last write resolved.
 */
import { writeSync } from 'node:fs';
import { openStore } from './open.ts';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const store = await openStore(url, { flushIntervalMs: 3_600_000 });
await store.addObservations([
  {
    site: 'kill.test',
    vantage: 'v1',
    time: 120_000,
    kind: 'http',
    outcome: 'down',
    signature: 'reset',
    timings: { total: 5 },
  },
]);
await store.flush();
for (let i = 0; i < count; i++) {
  await store.recordTransitions([
    {
      site: 'kill.test',
      role: 'web',
      vantage: null,
      from: i % 2 === 0 ? 'up' : 'down',
      to: i % 2 === 0 ? 'down' : 'up',
      at: 1_000 + i,
      signature: i % 2 === 0 ? 'reset' : 'ok',
      observationTime: 1_000 + i,
    },
  ]);
}
writeSync(1, 'committed\n');
// Block the event loop: nothing else (no close, no checkpoint) may happen before the kill.
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
