/**
 * Reports alone: incidents for what Vigie cannot see with probes (an app, a login). The contract for
 * the runner: each round, pass the sites at a spike level with their curve, whether probes see each
 * site healthy, and whether it already belongs to an open probe-backed incident; get back proposals
 * for low-confidence `reported` incidents. A site that probes see failing is not proposed: its
 * reports are evidence for the probe-backed incident instead.
 */
import type { Level, Problem, ReportCurve, SpikeView } from './types.ts';

export interface ReportedCandidate {
  domain: string;
  spike: SpikeView;
  /** The site's curve over the incident so far (at least the spike's window). */
  curve: ReportCurve;
}

export interface ReportedContext {
  /** Probes see the site up from every healthy vantage (false when failing or not probed at all). */
  probedHealthy(domain: string): boolean;
  /** Whether the site can be probed at all (false: e.g. an app with no web front Vigie watches). */
  probeable(domain: string): boolean;
  /** Already among the affected sites of an open probe-backed incident. */
  inIncident(domain: string): boolean;
}

export interface ReportedProposal {
  domain: string;
  level: Exclude<Level, 'none'>;
  /** 0.12–0.5: reports alone never make a high-confidence incident. */
  confidence: number;
  /** Problems reported, most reported first. */
  problems: Problem[];
  /** Human-readable evidence lines for the incident. */
  evidence: string[];
  curve: ReportCurve;
  startedAt: number;
  peakAt: number | null;
}

/** What probes cannot check: a share of these makes a reported-only incident more believable. */
const UNPROBED: readonly Problem[] = ['login', 'app', 'other'];

export function proposeReported(
  candidates: readonly ReportedCandidate[],
  ctx: ReportedContext,
): ReportedProposal[] {
  const out: ReportedProposal[] = [];
  for (const c of candidates) {
    const level = c.spike.level;
    if (level === 'none' || ctx.inIncident(c.domain)) continue;
    const probeable = ctx.probeable(c.domain);
    if (probeable && !ctx.probedHealthy(c.domain)) continue;
    const problems = (Object.entries(c.curve.problems) as [Problem, number][])
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]);
    const total = problems.reduce((s, [, n]) => s + n, 0) || 1;
    const unprobed = problems.filter(([p]) => UNPROBED.includes(p)).reduce((s, [, n]) => s + n, 0) / total;
    // Probes see the site fine and people say the site is down: likely theirs, or something probes
    // miss; believe reports more when they are about what probes cannot check, or nothing is probed.
    const base = level === 'strong' ? 0.5 : 0.3;
    const confidence = round(probeable ? base * (0.4 + 0.6 * unprobed) : base);
    out.push({
      domain: c.domain,
      level,
      confidence,
      problems: problems.map(([p]) => p),
      evidence: [
        evidenceLine(c.domain, c.spike),
        probeable
          ? `probes see ${c.domain} healthy from every vantage`
          : `Vigie cannot probe what is reported`,
        `reported: ${problems.map(([p, n]) => `${p} ${n}`).join(', ')}`,
      ],
      curve: c.curve,
      startedAt: firstNonZero(c.curve) ?? c.spike.from,
      peakAt: c.curve.peakAt,
    });
  }
  return out;
}

/** One evidence line for an incident: "crowd reports for X: 57 in 10 min vs 0.4 expected (p < 1e-12), strong". */
export function evidenceLine(subject: string, s: SpikeView): string {
  const minutes = Math.round((s.to - s.from) / 60_000);
  const p = s.p < 1e-12 ? 'p < 1e-12' : `p = ${s.p.toPrecision(2)}`;
  return `crowd reports for ${subject}: ${s.count} in ${minutes} min vs ${s.expected.toFixed(1)} expected (${p}), ${s.level}`;
}

function firstNonZero(c: ReportCurve): number | null {
  const i = c.counts.findIndex((n) => n > 0);
  return i < 0 ? null : c.from + i * c.stepMs;
}

const round = (x: number) => Math.round(x * 100) / 100;
