/**
 * `package.json` says which Node Vigie runs on; every package the lock file installs must accept
 * that Node too, or `npm install` warns (EBADENGINE) and the promise is false. Checked on the lock
 * file, which is what a fresh clone installs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// semver (npm's own range logic; installed with the toolchain, untyped here).
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: unknown }>;
};

/**
 * Packages whose `engines` refuse that Node although they run on it, and cannot be pinned back from
 * here, with the reason. Each must still be in the lock (a stale entry fails the test).
 */
const KNOWN: Record<string, string> = {
  // Pinned exactly (3.0.0) by @nats-io/nats-core 3.4.0 and @nats-io/transport-node 3.4.0; it needs only
  // globalThis.crypto.getRandomValues (Node >= 19). 2.0.3 accepts Node 18 but changes the id format
  // the NATS client was released against.
  'node_modules/@nats-io/nuid': 'declares node >= 22.x, runs on 20',
};

describe('engines', () => {
  it('every locked package accepts the oldest Node that package.json promises', () => {
    const oldest = semver.minVersion(pkg.engines.node)?.version;
    expect(oldest).toBeDefined();
    const refusing: string[] = [];
    for (const [path, p] of Object.entries(lock.packages)) {
      const wanted = (p.engines as { node?: unknown } | undefined)?.node;
      if (typeof wanted !== 'string' || path === '' || path in KNOWN) continue;
      if (!semver.satisfies(oldest as string, wanted))
        refusing.push(`${path}@${p.version} wants node ${wanted}`);
    }
    expect(refusing).toEqual([]);
    for (const path of Object.keys(KNOWN)) expect(lock.packages[path], path).toBeDefined();
  });
});
