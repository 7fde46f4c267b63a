/**
 * Where observations come from. The pipeline asks a fleet to probe its sites; the fleet publishes
 * every observation on the Bus's `observation` topic, whoever made it. The local fleet probes from
 * this process (one source address per vantage); an agent fleet hands the sites to `vigie agent`
 * processes over NATS JetStream and republishes what they observed. Detection and everything after
 * it never know which.
 */
import type { ProbeKind } from '../model/observation.ts';
import type { SchedulerStats } from '../probe/scheduler.ts';
import type { ProbeContext } from '../probe/types.ts';

export interface WatchedSite {
  domain: string;
  /** Probe kinds for this site (default: http). */
  kinds?: ProbeKind[];
  /** Probe the web over HTTPS (default false; given again for a watched site, it changes the scheme). */
  secure?: boolean;
}

export interface ProbeFleet {
  /**
   * Probe these sites from now on, from every vantage the fleet has (or each site's share of them).
   * A site already probed keeps its kinds and gains the ones given.
   */
  add(sites: readonly WatchedSite[]): void;
  /** Stop probing a site. */
  remove(domain: string): void;
  /**
   * Probe one service of a site again after `delayMs` (clock ms), from `vantage`, or from every
   * vantage probing it when `vantage` is undefined (a re-check asked by detection or crowd reports).
   */
  reprobe(domain: string, kind: ProbeKind, vantage: string | undefined, delayMs: number): void;
  /**
   * Check certificates apart from the web (the `tls` kind of the sites given it) every `intervalMs`
   * (clock ms) from now on, from one vantage, which it returns. A fleet without it is never given
   * the `tls` kind: the agents' fleet probes every kind of a site from each of its vantages at the
   * web's interval, which would cost the very handshakes the budget refused (agents keep probing
   * the web over HTTP, their certificates unchecked, when HTTPS is over the budget).
   */
  checkCertificates?(intervalMs: number): string;
  /** The vantages probing now. */
  vantages(): string[];
  start(): void;
  stop(): Promise<void>;
  /** Scheduling figures (for logs and `/metrics`). */
  stats(): SchedulerStats;
  /**
   * The worst lateness of a probe start since the last call, real ms — how far this process's
   * probing falls behind its schedule (the self-check reads it window by window). A fleet whose
   * probes run elsewhere returns 0.
   */
  takeLateness(): number;
  /**
   * Shed probe load while the monitor cannot keep up (`true`), restore it when it recovers. A fleet
   * probing elsewhere may ignore it.
   */
  shed?(on: boolean): void;
  /** A context to probe one target on demand from this process (`/probe`), if the fleet has one. */
  probeContext?(): ProbeContext | null;
}
