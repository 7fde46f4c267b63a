/** A human-readable summary of a run: incidents, then the score when there is one. */

import type { RunOutput } from '../../pipeline/export.ts';
import type { Score } from '../score/score.ts';

function causeLabel(c: RunOutput['incidents'][number]['cause']): string {
  const parts = [c.provider ?? '', c.region ?? '', c.plan ?? '', c.role ?? '', c.component ?? ''];
  return parts.filter((p) => p !== '').join(' / ') || '?';
}

export function formatSummary(out: RunOutput): string {
  const lines: string[] = [];
  lines.push(`${out.title} — ${out.sites} sites, ${out.probes} probes at ×${out.speed}`);
  const shared = out.incidents.filter(
    (i) => i.cause.provider !== null || !i.cause.component?.startsWith('site:'),
  );
  lines.push(`${shared.length} shared-cause incidents, ${out.incidents.length - shared.length} single-site`);
  for (const i of shared) {
    lines.push(
      `  ${i.id}  ${causeLabel(i.cause)}  ${i.kind}/${i.signature}  conf ${i.confidence}  ` +
        `detected ${i.detectedAt}  resolved ${i.resolvedAt ?? '(open)'}  ${i.affected.length} sites`,
    );
    for (const e of i.exonerated.slice(0, 3)) lines.push(`      cleared ${e.evidence}`);
  }
  if (out.score) lines.push(...formatScore(out.score as Score));
  return `${lines.join('\n')}\n`;
}

export function formatScore(s: Score): string[] {
  const f = (x: number | null, d = 0) => (x === null ? '-' : x.toFixed(d));
  const lines = ['score:'];
  for (const e of s.entries) {
    lines.push(
      `  ${e.fault}: ${e.matched ? `matched ${e.incident}` : 'NOT MATCHED'}  detection ${f(e.detectionDelay)} s  ` +
        `resolution ${f(e.resolutionDelay)} s  precision ${f(e.affectedPrecision, 3)}  recall ${f(e.affectedRecall, 3)}`,
    );
  }
  for (const b of s.wronglyBlamed) lines.push(`  wrongly blamed: ${b.incident} ${b.provider}: ${b.reason}`);
  const t = s.totals;
  lines.push(
    `  total: ${t.matched}/${t.entries} matched, wrongly blamed ${t.wronglyBlamed}, detection ≤ ${f(t.detectionDelayMax)} s, ` +
      `resolution ≤ ${f(t.resolutionDelayMax)} s, precision ≥ ${f(t.affectedPrecisionMin, 3)}, recall ≥ ${f(t.affectedRecallMin, 3)}`,
  );
  return lines;
}
