/**
 * Crowd reports as evidence, beside the probes. Each clock minute the report service is ticked: a
 * site whose reports start to spike is re-probed from every vantage at once; a provider whose sites'
 * reports spike adds that evidence line to the incident blaming it; incidents carry their report
 * curve; and a spike the probes cannot confirm becomes a low-confidence `reported` incident. The
 * pipeline publishes what this returns on the Bus like any other incident.
 */
import type { Incident } from '../model/incident.ts';
import { evidenceLine } from '../reports/reported.ts';
import type { ReportService } from '../reports/service.ts';
import type { SpikeView } from '../reports/types.ts';

const MIN = 60_000;

export interface ReportEvidenceOptions {
  reports: ReportService;
  /** Ids of reported incidents are `${idPrefix}reported-N`. */
  idPrefix: string;
  /** Whether probes see a site up now (null: not probed yet). */
  siteUp(domain: string): boolean | null;
}

export class ReportEvidence {
  /** provider id → its monitored sites (any role), from the map. */
  providerSites = new Map<string, string[]>();
  /** The strongest crowd-report spike seen for each provider. */
  private providerSpike = new Map<string, SpikeView>();
  private reportedOpen = new Map<string, Incident>();
  private reportedCount = 0;

  constructor(private readonly o: ReportEvidenceOptions) {}

  /**
   * A clock minute: report levels, re-probes of sites whose reports spike, provider spikes, and the
   * reports-only incidents to publish (opened, updated or closed). `incidents` are the probes' own.
   */
  tick(time: number, incidents: readonly Incident[], reprobe: (domain: string) => void): Incident[] {
    const { reports } = this.o;
    for (const c of reports.tick()) {
      if (c.subject.startsWith('provider:') || c.to === 'none') continue;
      if (c.from === 'none' || (c.from === 'moderate' && c.to === 'strong')) reprobe(c.subject);
    }
    for (const [provider, spike] of reports.providers(this.providerSites)) {
      if (spike.level === 'none') continue;
      const best = this.providerSpike.get(provider);
      if (!best || spike.count > best.count) this.providerSpike.set(provider, spike);
    }
    // An outage's reports are not the sites' usual rate.
    const inIncident = new Set<string>();
    for (const i of incidents) {
      if (i.resolvedAt === null) for (const d of i.affected) inIncident.add(d);
      reports.exclude(i.affected, i.startedAt, i.resolvedAt ?? time);
    }
    const proposals = reports.reported(
      {
        probedHealthy: (d) => this.o.siteUp(d) === true,
        probeable: (d) => this.o.siteUp(d) !== null,
        inIncident: (d) => inIncident.has(d),
      },
      time - 60 * MIN,
    );
    const out: Incident[] = [];
    const proposed = new Set<string>();
    for (const p of proposals) {
      proposed.add(p.domain);
      const cur = this.reportedOpen.get(p.domain);
      const i: Incident = {
        id: cur?.id ?? `${this.o.idPrefix}reported-${++this.reportedCount}`,
        cause: {
          provider: null,
          asn: null,
          name: null,
          region: null,
          plan: null,
          role: null,
          component: `site:${p.domain}`,
        },
        kind: 'reported',
        signature: 'reports',
        confidence: p.confidence,
        startedAt: cur?.startedAt ?? p.startedAt,
        detectedAt: cur?.detectedAt ?? time,
        peakAt: p.peakAt,
        resolvedAt: null,
        affected: [p.domain],
        exonerated: [],
        evidence: p.evidence,
        timeline: [],
        reports: p.curve,
      };
      this.reportedOpen.set(p.domain, i);
      out.push(i);
    }
    for (const [domain, i] of this.reportedOpen) {
      if (proposed.has(domain)) continue;
      this.reportedOpen.delete(domain);
      out.push({ ...i, resolvedAt: time });
    }
    return out;
  }

  /** The report curve over the incident (from 30 min before it), and the provider's report evidence. */
  decorate(i: Incident, time: number): Incident {
    const from = Math.floor((i.startedAt - 30 * MIN) / MIN) * MIN;
    const to = Math.ceil(Math.min(time, (i.resolvedAt ?? time) + 30 * MIN) / MIN) * MIN;
    const curve = this.o.reports.curve(i.affected, from, Math.max(to, from + MIN));
    const spike = i.cause.provider ? this.providerSpike.get(i.cause.provider) : undefined;
    const evidence =
      spike && spike.to > i.startedAt - 10 * MIN
        ? [...i.evidence, evidenceLine(i.cause.name ?? i.cause.provider ?? 'the provider', spike)]
        : i.evidence;
    return { ...i, evidence, ...(curve.total > 0 ? { reports: curve } : {}) };
  }
}
