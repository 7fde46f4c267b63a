/**
 * The local fleet: every vantage is a source address of this process. The web is probed from every
 * vantage; mail (SMTP) from the first one only — it is a second service, not a second view of the
 * web, and the machine's probe budget goes to the web from every vantage first. SMTP banners are
 * routinely held back for seconds on purpose (greet delay against spam): a slow banner says nothing
 * about an outage, so the mail vantage's slow threshold is the probe deadline.
 *
 * Certificates (the `tls` kind: resolve, connect, handshake, judge the certificate) are checked from
 * the first vantage too, on their own interval ({@link LocalFleet.checkCertificates}): when the web
 * is probed over plain HTTP because HTTPS on every probe would exceed the machine's handshake
 * budget, this is what still sees an expired or refused certificate. A certificate check judges the
 * handshake and the certificate, not the speed of the answer (it is never `slow`), nor what comes
 * before them: a check that could not resolve the name or connect says nothing of the certificate
 * and is not published — the web probe sees that from every vantage, where one vantage's hiccup is
 * outvoted; from the certificate check's one vantage it would be confirmed alone.
 */
import type { Bus } from '../bus/bus.ts';
import type { Catalog } from '../catalog/match.ts';
import type { Clock } from '../clock/clock.ts';
import type { DnsQuerier, DnsServer } from '../dns/types.ts';
import type { Observation, ProbeKind } from '../model/observation.ts';
import { createProbeContext, type OwnedProbeContext } from '../probe/context.ts';
import type { SchedulerStats } from '../probe/scheduler.ts';
import type { ProbePorts } from '../probe/types.ts';
import type { Vantage } from './environment.ts';
import type { ProbeFleet, WatchedSite } from './fleet.ts';
import { Probing } from './watch.ts';

export interface LocalFleetOptions {
  clock: Clock;
  bus: Bus;
  vantages: readonly Vantage[];
  /** A resolver per vantage (a guarded client, a world's resolver…). */
  resolver: (v: Vantage) => DnsServer | DnsQuerier;
  catalog: Catalog;
  ports?: ProbePorts;
  ca?: string;
  intervalMs: number;
  /** Deadline of one probe phase, clock ms. */
  timeoutMs: number;
  /** Clock ms beyond which a web answer is slow. */
  slowMs: number;
  concurrency: number;
}

export class LocalFleet implements ProbeFleet {
  private readonly web: Probing;
  private readonly mail: Probing;
  private readonly certs: Probing;
  private readonly owned: OwnedProbeContext[] = [];
  private readonly ids: string[];
  private readonly concurrency: number;

  constructor(o: LocalFleetOptions) {
    const real = (ms: number) => o.clock.toReal(ms);
    const context = (v: Vantage, slowMs: number) => {
      const c = createProbeContext({
        vantage: v.id,
        localAddress: v.address,
        resolver: o.resolver(v),
        ports: o.ports,
        ca: o.ca,
        timeouts: {
          dns: real(o.timeoutMs / 2),
          connect: real(o.timeoutMs),
          tls: real(o.timeoutMs),
          response: real(o.timeoutMs),
        },
        slowMs,
        clock: o.clock,
        catalog: o.catalog,
      });
      this.owned.push(c);
      return c.ctx;
    };
    const base = {
      clock: o.clock,
      bus: o.bus,
      intervalMs: o.intervalMs,
      timeoutMs: o.timeoutMs * 1.5,
      concurrency: o.concurrency,
    };
    this.ids = o.vantages.map((v) => v.id);
    this.concurrency = o.concurrency;
    this.web = new Probing({ ...base, vantages: o.vantages.map((v) => context(v, o.slowMs)) });
    this.mail = new Probing({ ...base, vantages: [context(o.vantages[0], o.timeoutMs)] });
    this.certs = new Probing({
      ...base,
      bus: certificateVerdicts(o.bus),
      vantages: [context(o.vantages[0], Number.POSITIVE_INFINITY)],
    });
  }

  /**
   * Check the certificates of the sites given the `tls` kind every `intervalMs` (clock ms) from now
   * on, from one vantage; returns that vantage.
   */
  checkCertificates(intervalMs: number): string {
    this.certs.scheduler.retime(intervalMs);
    return this.ids[0];
  }

  /** The web contexts' deadlines and slow threshold (real ms / clock ms), for the lag guard. */
  get contexts() {
    return this.owned.map((c) => c.ctx);
  }

  /**
   * As {@link ProbeFleet.add}, except for the `tls` kind, which follows the latest word: a site given
   * with kinds that leave it out is no longer checked (its web went to HTTPS, which sees the
   * certificate itself, or its certificate is gone).
   */
  add(sites: readonly WatchedSite[]): void {
    const web: WatchedSite[] = [];
    const mail: WatchedSite[] = [];
    const certs: WatchedSite[] = [];
    for (const s of sites) {
      const kinds = s.kinds ?? ['http'];
      const w = kinds.filter((k) => k !== 'smtp' && k !== 'tls');
      if (w.length) web.push({ ...s, kinds: w });
      if (kinds.includes('smtp')) mail.push({ domain: s.domain, kinds: ['smtp'] });
      if (kinds.includes('tls')) certs.push({ domain: s.domain, kinds: ['tls'] });
      else if (s.kinds) this.certs.remove(s.domain);
    }
    this.web.add(web);
    this.mail.add(mail);
    this.certs.add(certs);
  }

  remove(domain: string): void {
    this.web.remove(domain);
    this.mail.remove(domain);
    this.certs.remove(domain);
  }

  reprobe(domain: string, kind: ProbeKind, vantage: string | undefined, delayMs: number): void {
    const p = kind === 'smtp' ? this.mail : kind === 'tls' ? this.certs : this.web;
    const one = kind === 'smtp' || kind === 'tls';
    const targets = vantage === undefined ? (one ? [this.ids[0]] : this.ids) : [vantage];
    for (const v of targets) p.reprobe(domain, kind, v, delayMs);
  }

  vantages(): string[] {
    return [...this.ids];
  }

  start(): void {
    this.web.start();
    this.mail.start();
    this.certs.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.web.stop(), this.mail.stop(), this.certs.stop()]);
    await Promise.all(this.owned.map((c) => c.close()));
  }

  probeContext() {
    return this.owned[0]?.ctx ?? null;
  }

  /** Half the probes in flight while shedding (a loaded machine answers the rest on time). */
  shed(on: boolean): void {
    const c = this.concurrency;
    this.web.scheduler.limit(on ? Math.max(8, c / 2) : c);
    this.mail.scheduler.limit(on ? Math.max(4, c / 4) : c);
    this.certs.scheduler.limit(on ? Math.max(4, c / 4) : c);
  }

  takeLateness(): number {
    return Math.max(
      this.web.scheduler.takeLateness(),
      this.mail.scheduler.takeLateness(),
      this.certs.scheduler.takeLateness(),
    );
  }

  stats(): SchedulerStats {
    return this.web.scheduler.stats();
  }
}

/** Whether a certificate check's observation is a verdict on the certificate: it got as far as the handshake. */
export function judgesCertificate(obs: Observation): boolean {
  return obs.outcome === 'up' || (obs.phase !== 'dns' && obs.phase !== 'connect');
}

/** The Bus the certificate checks publish on: only their verdicts on the certificate pass. */
function certificateVerdicts(bus: Bus): Bus {
  return {
    publish: (topic, msg) => {
      if (topic === 'observation' && !judgesCertificate(msg as Observation)) return;
      bus.publish(topic, msg);
    },
    subscribe: (topic, handler) => bus.subscribe(topic, handler),
    close: async () => {},
  };
}
