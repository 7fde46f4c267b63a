/**
 * Wrong bearer tokens against a real listening server: `/api/health` latency (sequential requests)
 * with no attack, then while N clients (a child process, one loopback address each) send wrong
 * tokens as fast as they are answered — for the current hash format (salted SHA-256) and the older
 * scrypt one (verified off the event loop). Issue 14 asks p99 < 50 ms with 8 clients.
 * Run with `npm run bench -- auth-flood [CLIENTS] [SECONDS] [NICE]`; the last line is one JSON object.
 */
import { scryptSync } from 'node:crypto';
import { Agent } from 'node:http';
import { loadavg } from 'node:os';
import { hashToken } from '../src/server/auth.ts';
import { healthLatencies, p, startAttackers } from '../test/support/attackers.ts';
import { fixture, TOKEN } from '../test/support/server.ts';

const CLIENTS = Number(process.argv[2] ?? 8);
const SECONDS = Number(process.argv[3] ?? 10);
/** Niceness of the attackers' process (19: they yield the CPU, as remote clients would; 0: they compete). */
const NICE = Number(process.argv[4] ?? 19);

function legacyHash(token: string): string {
  const salt = Buffer.alloc(16, 3);
  const hash = scryptSync(token, salt, 32, { N: 16_384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const round = (x: number) => Math.round(x * 10) / 10;
const out: Record<string, unknown> = {
  clients: CLIENTS,
  seconds: SECONDS,
  nice: NICE,
  load_before: loadavg()[0],
};
for (const [name, tokenHash] of [
  ['sha256', hashToken(TOKEN)],
  ['scrypt', legacyHash(TOKEN)],
] as const) {
  const f = await fixture();
  const app = await f.build({ tokenHash });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const idle = await healthLatencies(port, agent, (SECONDS * 1000) / 2);
  const attackers = startAttackers(port, CLIENTS, NICE);
  await attackers.ready;
  const attacked = await healthLatencies(port, agent, SECONDS * 1000);
  const counts = await attackers.stop();
  agent.destroy();
  await f.close();
  const figures = {
    idle_p50_ms: round(p(idle, 0.5)),
    idle_p99_ms: round(p(idle, 0.99)),
    attacked_requests: attacked.length,
    attacked_p50_ms: round(p(attacked, 0.5)),
    attacked_p99_ms: round(p(attacked, 0.99)),
    attacked_max_ms: round(attacked[attacked.length - 1]),
    attacker_answers: counts.byStatus,
  };
  process.stderr.write(`${name}: ${JSON.stringify(figures)}\n`);
  out[name] = figures;
}
out.load_after = loadavg()[0];
process.stdout.write(`${JSON.stringify(out)}\n`);
