/**
 * Time-series charts with uPlot, loaded on first use (its own chunk). A chart is a picture for
 * sighted readers; each caller also renders the same numbers as text (a summary and a table), and
 * the chart's container says so to assistive technology.
 */
import { h } from './dom.ts';
import { clock, timeZone } from './words.ts';

export interface SeriesSpec {
  label: string;
  values: (number | null)[];
  /** Which y scale: the left one (counts, ms) or the right one (percentages 0..100). */
  scale?: 'y' | 'pct';
  color: string;
  /** Points only (no line): for sparse events such as failed probes. */
  points?: boolean;
  fill?: boolean;
}

export interface ChartSpec {
  /** What the chart shows, read by screen readers instead of the picture. */
  summary: string;
  /** Times, ms. */
  x: number[];
  series: SeriesSpec[];
  yLabel: string;
  pctLabel?: string;
  height?: number;
}

/**
 * Draw into `host` (already in the document, so it has a width). Returns the function that releases
 * the chart.
 */
export async function drawChart(host: HTMLElement, spec: ChartSpec): Promise<() => void> {
  const { default: uPlot } = await import('uplot');
  await import('uplot/dist/uPlot.min.css');
  host.setAttribute('role', 'img');
  host.setAttribute('aria-label', spec.summary);
  const tz = timeZone();
  const width = () => Math.max(280, Math.floor(host.clientWidth || 600));
  const usesPct = spec.series.some((s) => s.scale === 'pct');
  const plot = new uPlot(
    {
      width: width(),
      height: spec.height ?? 260,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), tz === 'UTC' ? 'Etc/UTC' : tz),
      scales: { x: { time: true }, ...(usesPct ? { pct: { range: [0, 100] } } : {}) },
      axes: [
        // 24-hour times in the page's zone, like every other time on the page.
        {
          stroke: '#333',
          grid: { stroke: '#e4e4e4' },
          values: (_u, splits) => splits.map((s) => clock(s * 1000)),
        },
        { label: spec.yLabel, stroke: '#333', grid: { stroke: '#e4e4e4' } },
        ...(usesPct
          ? [
              {
                scale: 'pct',
                side: 1 as const,
                label: spec.pctLabel ?? '%',
                stroke: '#333',
                grid: { show: false },
              },
            ]
          : []),
      ],
      series: [
        {},
        ...spec.series.map((s) => ({
          label: s.label,
          scale: s.scale ?? 'y',
          stroke: s.color,
          width: s.points ? 0 : 2,
          fill: s.fill ? `${s.color}22` : undefined,
          points: s.points ? { show: true, size: 7, fill: s.color } : { show: false },
          spanGaps: false,
        })),
      ],
    },
    [spec.x.map((t) => t / 1000), ...spec.series.map((s) => s.values)],
    host,
  );
  const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: spec.height ?? 260 }));
  resize.observe(host);
  return () => {
    resize.disconnect();
    plot.destroy();
  };
}

/** A placeholder the page fills once mounted. */
export function chartHost(className = 'chart'): HTMLElement {
  return h('div', { class: className });
}
