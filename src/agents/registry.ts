/**
 * The core's view of its agents: the last heartbeat of each, whether it is healthy, degraded or
 * gone, and its probe rate — what the API and dashboard show per vantage.
 */
import { degradedReason, type HeartbeatMessage } from './heartbeat.ts';

export type AgentStatus = 'healthy' | 'degraded' | 'gone';

/** One vantage's state, for the API and dashboard. */
export interface VantageState {
  vantage: string;
  state: AgentStatus;
  /** Why it is degraded or gone ('' when healthy). */
  reason: string;
  /** Real ms since the epoch of its last heartbeat (null: never heard). */
  lastHeartbeat: number | null;
  /** Probes started per second over its last heartbeat window. */
  probesPerS: number;
  /** Sites it probes (per its last heartbeat), and the assignment version it applied. */
  sites: number;
  version: number;
  /** Observations the stream stored from it since its process started. */
  stored: number;
  /** Observations from it the core took in (since the core started). */
  ingested: number;
  /** The current process (boot id) of the agent. */
  boot: string | null;
}

export interface RegistryOptions {
  vantages: readonly string[];
  /** No heartbeat for this long (real ms) → gone. */
  goneAfterMs: number;
  /** The probe interval in real ms (lateness is judged against it). */
  intervalRealMs: number;
  /** Detection's judgement of a vantage (its observations implausible): unhealthy → degraded. */
  isHealthy?(vantage: string): boolean;
  now?(): number;
}

interface Entry {
  last: HeartbeatMessage | null;
  /** Observations the agent had dropped at its previous heartbeat (a count since its start). */
  droppedBefore: number;
  at: number | null;
  gone: boolean;
  ingested: number;
}

export class AgentRegistry {
  private entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly o: RegistryOptions) {
    this.now = o.now ?? Date.now;
    for (const v of o.vantages)
      this.entries.set(v, { last: null, droppedBefore: 0, at: null, gone: true, ingested: 0 });
  }

  known(vantage: string): boolean {
    return this.entries.has(vantage);
  }

  /** Record a heartbeat; true when the agent was gone (or never seen) and is back. */
  heartbeat(h: HeartbeatMessage): boolean {
    const e = this.entries.get(h.vantage);
    if (!e) return false;
    // `dropped` counts since the agent's start: degraded while it grows, not for ever after.
    e.droppedBefore = e.last && e.last.boot === h.boot ? e.last.dropped : 0;
    e.last = h;
    e.at = this.now();
    const back = e.gone;
    e.gone = false;
    return back;
  }

  ingested(vantage: string, n: number): void {
    const e = this.entries.get(vantage);
    if (e) e.ingested += n;
  }

  /** Mark silent agents gone; returns those that just went. */
  sweep(): string[] {
    const now = this.now();
    const went: string[] = [];
    for (const [v, e] of this.entries) {
      if (!e.gone && e.at !== null && now - e.at > this.o.goneAfterMs) {
        e.gone = true;
        went.push(v);
      }
    }
    return went;
  }

  /** Vantages alive (heard from within the gone delay), in configuration order. */
  alive(): string[] {
    return [...this.entries].filter(([, e]) => !e.gone).map(([v]) => v);
  }

  all(): string[] {
    return [...this.entries.keys()];
  }

  lastHeartbeats(): HeartbeatMessage[] {
    return [...this.entries.values()].filter((e) => !e.gone && e.last).map((e) => e.last!);
  }

  states(): VantageState[] {
    return [...this.entries].map(([vantage, e]) => {
      const h = e.last;
      let state: AgentStatus = 'healthy';
      let reason = '';
      if (e.gone) {
        state = 'gone';
        reason = e.at === null ? 'never heard from' : 'heartbeats stopped';
      } else if (h) {
        const why = degradedReason({ ...h, dropped: h.dropped - e.droppedBefore }, this.o.intervalRealMs);
        if (why) {
          state = 'degraded';
          reason = why;
        } else if (this.o.isHealthy && !this.o.isHealthy(vantage)) {
          state = 'degraded';
          reason = 'its observations are implausible (vantage health)';
        }
      }
      return {
        vantage,
        state,
        reason,
        lastHeartbeat: e.at,
        probesPerS: h && h.windowMs > 0 ? Math.round((h.started / h.windowMs) * 1000 * 10) / 10 : 0,
        sites: h?.sites ?? 0,
        version: h?.version ?? 0,
        stored: h?.stored ?? 0,
        ingested: e.ingested,
        boot: h?.boot ?? null,
      };
    });
  }
}
