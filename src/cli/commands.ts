/**
 * Commands are discovered, not listed: every module in `./commands/` exports
 * `register(program, setExitCode)`, so a new command cannot forget to join.
 */
import { readdirSync } from 'node:fs';
import type { Command } from 'commander';

export type RegisterCommand = (program: Command, setExitCode: (code: number) => void) => void;

/**
 * The command modules to load: only `name`'s when it is one (every start would otherwise load and
 * compile every command's dependencies — the NATS client, the mailer, the world… — seconds on a
 * busy machine), else all of them (help, an unknown command).
 */
export async function loadCommands(name?: string): Promise<RegisterCommand[]> {
  const dir = new URL('./commands/', import.meta.url);
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
  const files = name && all.includes(`${name}.ts`) ? [`${name}.ts`] : all;
  const mods = await Promise.all(files.map((f) => import(new URL(f, dir).href)));
  return mods.map((m, i) => {
    if (typeof m.register !== 'function') throw new Error(`command module ${files[i]} exports no register()`);
    return m.register as RegisterCommand;
  });
}
