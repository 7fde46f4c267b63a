/**
 * `vigie sim run --agents N`: the scenario's first N vantages as `vigie agent` processes over NATS
 * JetStream, each bound to its vantage's source address in the world — so a vantage fault of the
 * scenario hits one agent only — and the core's {@link AgentFleet} in place of local probing.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats } from '../../agents/connect.ts';
import { AgentFleet } from '../../agents/fleet.ts';
import { startAgentProcesses } from '../../agents/processes.ts';
import { deleteAll } from '../../agents/setup.ts';
import { Names } from '../../agents/subjects.ts';
import type { Bus } from '../../bus/bus.ts';
import type { Clock } from '../../clock/clock.ts';
import { UsageError } from '../../errors.ts';
import type { WorldInfo } from '../../model/world.ts';
import { probeTimeout } from '../../pipeline/pipeline.ts';
import { slowThresholdFor } from '../../probe/context.ts';

export async function agentFleet(
  o: { count: number; nats: string },
  info: WorldInfo,
  clock: Clock,
  log: (line: string) => void,
) {
  const vantages = info.vantages.slice(0, o.count).map((v) => v.id);
  if (vantages.length === 0) throw new UsageError('--agents: the scenario has no vantages to run as agents');
  const prefix = `vsim${process.pid}`;
  const nc = await connectNats({ url: o.nats, name: 'vigie-sim-core' });
  const procs = startAgentProcesses({
    nats: o.nats,
    prefix,
    world: info.stateDir,
    vantages,
    onLog: (v, l) => log(`agent ${v}: ${l}`),
  });
  log(`agents: ${vantages.join(', ')} over ${o.nats} (prefix ${prefix})`);
  let fleet: AgentFleet | null = null;
  return {
    make(bus: Bus, isHealthy: (vantage: string) => boolean): AgentFleet {
      fleet = new AgentFleet({
        nc,
        bus,
        clock,
        agents: vantages,
        prefix,
        perSite: Math.min(3, vantages.length),
        intervalMs: info.probeIntervalMs,
        timeoutMs: probeTimeout(info.probeIntervalMs, clock.speed),
        slowMs: slowThresholdFor(clock.speed),
        // At high speed an interval is well under a second of real time: do not call an agent gone
        // for a scheduling hiccup.
        goneAfterMs: Math.max(3_000, clock.toReal(info.probeIntervalMs)),
        isHealthy,
        log,
      });
      return fleet;
    },
    async close(): Promise<void> {
      await procs.stop();
      await deleteAll(await jetstreamManager(nc), new Names(prefix)).catch(() => {});
      await nc.close();
    },
  };
}
