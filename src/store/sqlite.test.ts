import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStore } from './conformance.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigie-store-'));
let n = 0;

describeStore({
  name: 'sqlite',
  // Files rather than :memory:, so reopening and the kill test see the same database.
  fresh: async () => `sqlite:${join(dir, `store-${++n}.db`)}`,
  cleanup: async () => rmSync(dir, { recursive: true, force: true }),
});
