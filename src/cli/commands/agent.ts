/**
 * `vigie agent`: a probe-only vantage. It connects to the deployment's NATS server, reads its
 * assignment from the core, probes from this machine (or a source address of it), publishes its
 * observations to JetStream in batches and heartbeats. It never opens a store.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Agent } from '../../agents/agent.ts';
import { connectNats } from '../../agents/connect.ts';
import { checkToken } from '../../agents/subjects.ts';
import { loadCatalog } from '../../catalog/load.ts';
import { type Clock, ScaledClock, SystemClock } from '../../clock/clock.ts';
import { DnsClient } from '../../dns/client.ts';
import { parseServer, systemResolver } from '../../dns/resolv-conf.ts';
import { UsageError } from '../../errors.ts';
import { TargetPolicy } from '../../net/address-policy.ts';
import { guardResolver } from '../../net/guard-resolver.ts';
import { readWorld } from '../../pipeline/environment.ts';
import { createProbeContext } from '../../probe/context.ts';

interface AgentCliOptions {
  nats: string;
  vantage: string;
  creds?: string;
  nkey?: string;
  source?: string;
  world?: string;
  resolver?: string;
  ca?: string;
  prefix: string;
  allowPrivate?: boolean;
  audit?: string;
  verbose?: boolean;
}

export function register(program: Command): void {
  program
    .command('agent')
    .description('probe from this machine for a Vigie core over NATS JetStream (probe-only, no store)')
    .requiredOption('--nats <url>', 'NATS server, nats://HOST:4222 (token: set VIGIE_NATS_TOKEN)')
    .requiredOption(
      '--vantage <name>',
      'this vantage’s name, as the core knows it (letters, digits, _ and -)',
    )
    .option('--creds <file>', 'authenticate with a NATS .creds file')
    .option('--nkey <file>', 'authenticate with an nkey seed file')
    .option('--source <address>', 'send probes from this local address')
    .option(
      '--world <dir>',
      'probe a simulated world (its world.json: resolver, ports, CA, clock, vantage addresses)',
    )
    .option('--resolver <addr[:port]>', 'DNS resolver (default: the world’s, or /etc/resolv.conf)')
    .option('--ca <file>', 'also trust this root certificate (PEM)')
    .option('--prefix <name>', 'deployment prefix of subjects, stream and bucket', 'vigie')
    .option(
      '--allow-private',
      'probe private, loopback and link-local addresses too (refused by default outside a world)',
    )
    .option('--audit <file>', 'append "<boot> <first sequence> <count>" for every batch the stream stored')
    .option('--verbose', 'log assignments and publish retries on stderr')
    .action(async (o: AgentCliOptions) => {
      try {
        checkToken('--vantage', o.vantage);
        checkToken('--prefix', o.prefix);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const world = o.world ? readWorld(o.world) : null;
      const clock: Clock = world
        ? new ScaledClock(world.clock.origin, world.clock.speed, world.clock.anchor)
        : new SystemClock();
      const resolver = o.resolver ? parseServer(o.resolver) : (world?.resolver ?? systemResolver());
      if (!resolver) throw new UsageError('no resolver: give --resolver ADDR[:PORT]');
      const source = o.source ?? world?.vantages.find((v) => v.id === o.vantage)?.address;
      const caFile = o.ca ?? world?.caFile;
      let ca: string | undefined;
      try {
        ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
      } catch (e) {
        throw new UsageError(`cannot read CA ${caFile}: ${(e as NodeJS.ErrnoException).code ?? e}`);
      }
      const policy = new TargetPolicy({ allowPrivate: !!world || !!o.allowPrivate });
      const catalog = loadCatalog();
      const log = (line: string) => process.stderr.write(`agent ${o.vantage}: ${line}\n`);
      const nc = await connectNats({
        url: o.nats,
        name: `vigie-agent-${o.vantage}`,
        creds: o.creds,
        nkeySeed: o.nkey,
        token: process.env.VIGIE_NATS_TOKEN,
        inboxPrefix: `_INBOX_${o.vantage}`,
      });
      const agent = new Agent({
        nc,
        vantage: o.vantage,
        prefix: o.prefix,
        clock,
        log: o.verbose ? log : undefined,
        onStored: o.audit ? (seq, n) => appendFileSync(o.audit!, `${agent.boot} ${seq} ${n}\n`) : undefined,
        context: (s) => {
          const real = (ms: number) => clock.toReal(ms);
          // Every resolution passes the address policy: a name re-resolving to a private address is refused.
          const dns = new DnsClient({
            server: resolver,
            localAddress: source,
            timeoutMs: Math.max(1, Math.floor(real(s.timeoutMs / 2) / 2)),
            retries: 1,
          });
          const owned = createProbeContext({
            vantage: o.vantage,
            localAddress: source,
            resolver: guardResolver(dns, policy),
            ports: world
              ? { http: world.ports.http, https: world.ports.https, smtp: world.ports.smtp }
              : undefined,
            ca,
            timeouts: {
              dns: real(s.timeoutMs / 2),
              connect: real(s.timeoutMs),
              tls: real(s.timeoutMs),
              response: real(s.timeoutMs),
            },
            slowMs: s.slowMs,
            clock,
            catalog,
          });
          return { ctx: owned.ctx, close: async () => void (await dns.close()) };
        },
      });
      await agent.start();
      log(`connected (boot ${agent.boot}${source ? `, probing from ${source}` : ''}); waiting for work`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await agent.stop();
      await nc.drain().catch(() => {});
    });
}
