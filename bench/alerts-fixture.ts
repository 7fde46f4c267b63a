/**
 * Recordings of the incident stream of real pipeline runs (bench/alerts-record.ts), compacted for
 * the repository, and their expansion back to the incidents exactly as they were published.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { VantageHealthChange } from '../src/detect/types.ts';
import type { Incident } from '../src/model/incident.ts';

export type RecordedEvent =
  | { topic: 'incident'; clock: number; msg: Incident }
  | { topic: 'vantage'; clock: number; msg: VantageHealthChange };

type Compact = Omit<Incident, 'affected' | 'timeline'> & {
  affected: string[] | '=';
  timeline: Incident['timeline'];
  timelineFrom: number;
};

/** Write each incident's affected list only when it changed and its timeline from the first new point. */
export function compactEvents(events: readonly RecordedEvent[]): unknown[] {
  const last = new Map<string, Incident>();
  return events.map((e) => {
    if (e.topic !== 'incident') return e;
    const i = e.msg;
    const prev = last.get(i.id);
    last.set(i.id, i);
    let from = 0;
    if (prev) {
      while (
        from < prev.timeline.length &&
        from < i.timeline.length &&
        JSON.stringify(prev.timeline[from]) === JSON.stringify(i.timeline[from])
      )
        from++;
    }
    const same = prev && JSON.stringify(prev.affected) === JSON.stringify(i.affected);
    const c: Compact = {
      ...i,
      affected: same ? '=' : i.affected,
      timeline: i.timeline.slice(from),
      timelineFrom: from,
    };
    return { ...e, msg: c };
  });
}

/** The events of a recording, incidents expanded. */
export function expandEvents(events: readonly unknown[]): RecordedEvent[] {
  const last = new Map<string, Incident>();
  return (events as RecordedEvent[]).map((e) => {
    if (e.topic !== 'incident') return e;
    const c = e.msg as unknown as Compact;
    const prev = last.get(c.id);
    const { timelineFrom, ...rest } = c;
    const i: Incident = {
      ...rest,
      affected: c.affected === '=' ? (prev?.affected ?? []) : c.affected,
      timeline: [...(prev?.timeline.slice(0, timelineFrom) ?? []), ...c.timeline],
    };
    last.set(i.id, i);
    return { ...e, msg: i };
  });
}

export interface Recording {
  note: string;
  scenario: string;
  command: string;
  recordedAt: string;
  speed: number;
  sites: { domain: string; tags: string[] }[];
  events: RecordedEvent[];
}

/** Read a recording (`.json` or `.json.gz`). */
export function readRecording(path: string): Recording {
  const buf = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
  const raw = JSON.parse(text) as Recording & { compact?: boolean };
  return { ...raw, events: raw.compact ? expandEvents(raw.events) : raw.events };
}
