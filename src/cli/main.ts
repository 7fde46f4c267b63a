/**
 * The `vigie` command line. Each command lives in its own file and registers itself here.
 * Exit codes: 0 success, 2 invalid input or arguments, 1 anything else. Errors are one line each
 * (`file:line: field: message` for input), never a stack trace unless VIGIE_DEBUG is set.
 */
import { Command, CommanderError } from 'commander';
import { InputError, UsageError, VigieError } from '../errors.ts';
import { loadCommands } from './commands.ts';

export async function main(argv: string[]): Promise<number> {
  stopWhenStdoutCloses();
  const program = new Command('vigie')
    .description('Vigie — an observatory of web-hosting outages')
    .exitOverride()
    .showHelpAfterError();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let code = 0;
  const first = argv.find((a) => !a.startsWith('-'));
  const asksHelp = argv.includes('--help') || argv.includes('-h') || first === 'help';
  for (const register of await loadCommands(asksHelp ? undefined : first)) {
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

/**
 * Standard output closed by its reader (`vigie map --help | head -3`, `vigie watch --json | head`):
 * no stack trace. A long-running command (demo, watch, serve, sim serve, agent) stops as on SIGTERM,
 * closing its worlds, stores and servers; any other one exits at once, successfully. Whatever it still
 * writes is dropped.
 */
function stopWhenStdoutCloses(): void {
  let closed = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    // Writes already under way fail too, each with its own EPIPE: the first one decides.
    if (closed) return;
    closed = true;
    if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM');
    else process.exit(0);
  });
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
  // Anything else is a bug or an unforeseen condition: one line, the stack trace only on request.
  const e = err as Error;
  if (process.env.VIGIE_DEBUG) process.stderr.write(`vigie: ${e?.stack ?? String(err)}\n`);
  else {
    const what = `${e?.name ?? 'Error'}: ${String(e?.message ?? err).split('\n')[0]}`;
    process.stderr.write(`vigie: ${what} (VIGIE_DEBUG=1 shows the stack trace)\n`);
  }
  return 1;
}
