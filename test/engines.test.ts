/**
 * `package.json` says which Node Vigie runs on; every package the lock file installs must accept
 * that Node too, or `npm install` warns (EBADENGINE) and the promise is false. Checked on the lock
 * file, which is what a fresh clone installs. Where a dependency's newest release wants a newer Node,
 * `overrides` in package.json pin the last one that accepts ours (with the same API): content-disposition
 * 2.0.0 under @fastify/static, cookie 1.1.1 under light-my-request, @nats-io/nuid 2.0.3 under the NATS
 * client (3.0.0 changed its ids' alphabet from base 36 to Go's base 62, reworked the arithmetic behind
 * them and raised its engines to Node 22; the client only calls `nuid.next()` and re-exports `Nuid`).
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

describe('engines', () => {
  it('every locked package accepts the oldest Node that package.json promises', () => {
    const oldest = semver.minVersion(pkg.engines.node)?.version;
    expect(oldest).toBeDefined();
    const refusing: string[] = [];
    for (const [path, p] of Object.entries(lock.packages)) {
      const wanted = (p.engines as { node?: unknown } | undefined)?.node;
      if (typeof wanted !== 'string' || path === '') continue;
      if (!semver.satisfies(oldest as string, wanted))
        refusing.push(`${path}@${p.version} wants node ${wanted}`);
    }
    expect(refusing).toEqual([]);
  });
});
