/**
 * Blackbox-exporter-style probe metrics, aggregated. blackbox answers one scrape per target; with
 * 100,000 sites that is 100,000 series per metric, so Vigie aggregates per vantage and probe kind:
 * `probe_success` is the share of sites whose latest probe succeeded, and durations are histograms
 * (`probe_duration_seconds`, `probe_http_duration_seconds{phase}` with blackbox's phase names
 * resolve, connect, tls, processing, transfer).
 */
import type { Bus } from '../../bus/bus.ts';
import type { Observation } from '../../model/observation.ts';
import { type Family, Histogram, type Sample } from './text.ts';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;

interface Series {
  vantage: string;
  kind: string;
  /** Latest probe of each site: 1 succeeded, 0 failed. */
  latest: Map<string, number>;
  ok: number;
  duration: Histogram;
  signatures: Map<string, number>;
  statusClasses: Map<string, number>;
}

export class ProbeMetrics {
  private series = new Map<string, Series>();
  private phases = new Map<string, Histogram>();
  private refusals = 0;

  /** Follow the observations on the bus; returns the unsubscribe function. */
  attach(bus: Bus): () => void {
    return bus.subscribe('observation', (o) => this.observe(o));
  }

  /** A resolution refused by the target policy (counted as `vigie_target_refusals_total`). */
  refused(): void {
    this.refusals++;
  }

  observe(o: Observation): void {
    const key = `${o.vantage}\0${o.kind}`;
    let s = this.series.get(key);
    if (!s) {
      s = {
        vantage: o.vantage,
        kind: o.kind,
        latest: new Map(),
        ok: 0,
        duration: new Histogram(DURATION_BUCKETS),
        signatures: new Map(),
        statusClasses: new Map(),
      };
      this.series.set(key, s);
    }
    // probe_error says nothing about the site: like blackbox's failed-to-probe, not counted as down.
    const success = o.outcome !== 'down' ? 1 : 0;
    const prev = s.latest.get(o.site);
    s.latest.set(o.site, success);
    s.ok += success - (prev ?? 0);
    // Observations carry real milliseconds (see PhaseTimings).
    s.duration.observe(o.timings.total / 1000);
    s.signatures.set(o.signature, (s.signatures.get(o.signature) ?? 0) + 1);
    if (o.status) {
      const cls = `${Math.floor(o.status / 100)}xx`;
      s.statusClasses.set(cls, (s.statusClasses.get(cls) ?? 0) + 1);
    }
    if (o.kind === 'http' && o.outcome !== 'down') this.observePhases(o);
  }

  private observePhases(o: Observation): void {
    const t = o.timings;
    const known = (t.dns ?? 0) + (t.connect ?? 0) + (t.tls ?? 0) + (t.ttfb ?? 0);
    const values: Record<(typeof PHASES)[number], number | undefined> = {
      resolve: t.dns,
      connect: t.connect,
      tls: t.tls,
      processing: t.ttfb,
      transfer: Math.max(0, t.total - known),
    };
    for (const phase of PHASES) {
      const v = values[phase];
      if (v === undefined) continue;
      const key = `${o.vantage}\0${phase}`;
      let h = this.phases.get(key);
      if (!h) {
        h = new Histogram(DURATION_BUCKETS);
        this.phases.set(key, h);
      }
      h.observe(v / 1000);
    }
  }

  families(): Family[] {
    const success: Sample[] = [];
    const sites: Sample[] = [];
    const duration: Sample[] = [];
    const sigs: Sample[] = [];
    const status: Sample[] = [];
    for (const s of this.series.values()) {
      const labels = { vantage: s.vantage, kind: s.kind };
      success.push({ labels, value: s.latest.size ? s.ok / s.latest.size : 0 });
      sites.push({ labels, value: s.latest.size });
      duration.push(...s.duration.samples(labels));
      for (const [signature, n] of s.signatures) sigs.push({ labels: { ...labels, signature }, value: n });
      for (const [code, n] of s.statusClasses) status.push({ labels: { ...labels, code }, value: n });
    }
    const phases: Sample[] = [];
    for (const [key, h] of this.phases) {
      const [vantage, phase] = key.split('\0');
      phases.push(...h.samples({ vantage, phase }));
    }
    return [
      {
        name: 'probe_success',
        help: 'Share of sites whose latest probe succeeded (blackbox probe_success, averaged over sites)',
        type: 'gauge',
        samples: success,
      },
      {
        name: 'probe_targets',
        help: 'Sites probed, per vantage and probe kind',
        type: 'gauge',
        samples: sites,
      },
      {
        name: 'probe_duration_seconds',
        help: 'Duration of probes, seconds',
        type: 'histogram',
        samples: duration,
      },
      {
        name: 'probe_http_duration_seconds',
        help: 'Duration of successful HTTP probes by phase (resolve, connect, tls, processing, transfer), seconds',
        type: 'histogram',
        samples: phases,
      },
      {
        name: 'vigie_probe_signatures_total',
        help: 'Probes by outcome signature (ok, connect_timeout, cdn_error…)',
        type: 'counter',
        samples: sigs,
      },
      {
        name: 'vigie_probe_http_status_total',
        help: 'HTTP answers by status class',
        type: 'counter',
        samples: status,
      },
      {
        name: 'vigie_target_refusals_total',
        help: 'Resolutions refused by the target policy (private, loopback, link-local, metadata addresses)',
        type: 'counter',
        samples: [{ value: this.refusals }],
      },
    ];
  }
}
