import type { Command } from 'commander';
import pkg from '../../../package.json' with { type: 'json' };

/** `vigie version`: print the version. */
export function register(program: Command): void {
  program.version(pkg.version);
}
