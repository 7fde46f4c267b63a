/**
 * The `vigie` command line. Each command lives in its own file and registers itself here.
 * Exit codes: 0 success, 2 invalid input or arguments, 1 anything else.
 */
import { Command, CommanderError } from 'commander';
import { InputError, UsageError, VigieError } from '../errors.ts';
import { loadCommands } from './commands.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('vigie')
    .description('Vigie — an observatory of web-hosting outages')
    .exitOverride()
    .showHelpAfterError();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let code = 0;
  for (const register of await loadCommands()) {
    register(program, (c) => {
      code = c;
    });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    if (err.code === 'commander.help') return 0;
    return 2;
  }
  if (err instanceof InputError || err instanceof UsageError) {
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  if (err instanceof VigieError) {
    process.stderr.write(`vigie: ${err.message}\n`);
    return 1;
  }
  const e = err as Error;
  process.stderr.write(`vigie: ${e?.stack ?? String(err)}\n`);
  return 1;
}
