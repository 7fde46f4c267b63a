/**
 * Scenario time: IANA zones, local wall-clock times, offsets and durations, all resolved to epoch
 * milliseconds. Zone offsets come from Intl (the runtime's tz database), so DST is exact without a
 * date library.
 */

import { zoneOffsetMs } from '../../clock/zone.ts';

export { zoneOffsetMs };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A wall-clock reading, month 1..12. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

/** The canonical spelling of an IANA zone (`europe/paris` → `Europe/Paris`), or null if unknown. */
export function canonicalZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The wall-clock reading in `zone` at instant `t`. */
export function epochToLocal(zone: string, t: number): LocalDateTime {
  const d = new Date(t + zoneOffsetMs(zone, t));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
  };
}

/**
 * The instant a wall-clock reading in `zone` denotes. Like Temporal's `compatible` disambiguation:
 * a time repeated when clocks go back is its first (summer-time) occurrence; a time skipped when
 * clocks go forward is read with the offset before the change, i.e. moved forward by the gap
 * (02:30 on a spring-forward night in Paris is 03:30 CEST).
 */
export function localToEpoch(zone: string, l: LocalDateTime): number {
  const wall = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.ms);
  // Zone transitions are at least days apart, so the offsets a day either side bracket any change.
  const before = zoneOffsetMs(zone, wall - DAY);
  const after = zoneOffsetMs(zone, wall + DAY);
  const early = wall - before;
  const late = wall - after;
  const earlyOk = zoneOffsetMs(zone, early) === before;
  const lateOk = zoneOffsetMs(zone, late) === after;
  if (earlyOk && lateOk) return Math.min(early, late);
  if (lateOk) return late;
  return early;
}

/** Format an instant as a local ISO datetime in `zone` (seconds only when non-zero), for messages. */
export function formatLocal(zone: string, t: number): string {
  const l = epochToLocal(zone, t);
  const p = (n: number) => String(n).padStart(2, '0');
  const base = `${l.year}-${p(l.month)}-${p(l.day)}T${p(l.hour)}:${p(l.minute)}`;
  return l.second ? `${base}:${p(l.second)}` : base;
}

const DATETIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parse `2021-10-13T08:30[:ss[.mmm]]` (a `T` or a space; date alone = midnight) as a local time in
 * `zone`. An explicit `Z` or `±HH:MM` suffix (an extension) makes it absolute. Returns epoch ms, or
 * an error message.
 */
export function parseDateTime(value: string, zone: string): number | string {
  const m = DATETIME_RE.exec(value);
  if (!m) return `"${value}" is not a datetime like 2021-10-13T08:30`;
  const l: LocalDateTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    ms: Number((m[7] ?? '0').padEnd(3, '0')),
  };
  const daysInMonth = new Date(Date.UTC(l.year, l.month, 0)).getUTCDate();
  if (l.month < 1 || l.month > 12 || l.day < 1 || l.day > daysInMonth)
    return `"${value}" is not a valid date`;
  if (l.hour > 23 || l.minute > 59 || l.second > 59) return `"${value}" is not a valid time of day`;
  const suffix = m[8];
  if (suffix === undefined) return localToEpoch(zone, l);
  const wall = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.ms);
  if (suffix === 'Z') return wall;
  const sign = suffix[0] === '-' ? -1 : 1;
  const digits = suffix.slice(1).replace(':', '');
  return wall - sign * (Number(digits.slice(0, 2)) * HOUR + Number(digits.slice(2)) * MINUTE);
}

/**
 * Longest duration, offset or scenario window: five years. Far beyond any outage worth replaying
 * (the Strasbourg fire is three days), and it keeps every time a safe integer and every real delay
 * finite.
 */
export const MAX_DURATION_MS = 1825 * DAY;
/** {@link MAX_DURATION_MS} as messages and the JSON Schema state it. */
export const MAX_DURATION_TEXT = '1825d (5 years)';

const DURATION_RE = /^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** `60s`, `20m`, `1h30m`, `2d`, `250ms` → ms; a bare number is seconds. Null if malformed. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : null;
  const m = DURATION_RE.exec(value);
  if (!m) return null;
  const [d, h, min, s, ms] = m.slice(1).map((x) => Number(x ?? 0));
  return d * DAY + h * HOUR + min * MINUTE + s * 1000 + ms;
}

/** Render ms as a compact duration (`3h`, `1h30m`, `2d4h`, `45s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const units: [string, number][] = [
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', 1000],
    ['ms', 1],
  ];
  let rest = ms;
  let out = '';
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${u}`;
    rest -= n * size;
  }
  return out;
}

const CLOCK_RE = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Resolve a fault time against the scenario clock. Forms:
 * - `"09:12"` / `"09:12:30"`: the first occurrence of that local clock time at or after `notBefore`
 *   (strictly after it when `strict`, used for `until` so that it can never equal `at`);
 * - `+42m`, `+1h30m`, `+2d`: elapsed time since `start` (not calendar days: `+1d` is 24 h even
 *   across a DST change);
 * - a datetime as in {@link parseDateTime}.
 * Returns epoch ms and whether the clock form was used, or an error message.
 */
export function resolveTime(
  value: string,
  zone: string,
  start: number,
  notBefore: number,
  strict = false,
): { t: number; clock: boolean } | string {
  if (value.startsWith('+')) {
    const d = parseDuration(value.slice(1));
    if (d === null) return `"${value}" is not an offset like +42m or +1h30m`;
    if (d > MAX_DURATION_MS) return `"${value}" is more than ${MAX_DURATION_TEXT} after start`;
    return { t: start + d, clock: false };
  }
  const c = CLOCK_RE.exec(value);
  if (c) {
    const [hour, minute, second] = [Number(c[1]), Number(c[2]), Number(c[3] ?? 0)];
    if (hour > 23 || minute > 59 || second > 59) return `"${value}" is not a valid clock time`;
    const from = epochToLocal(zone, notBefore);
    for (let k = 0; k < 3; k++) {
      const day = new Date(Date.UTC(from.year, from.month - 1, from.day + k));
      const t = localToEpoch(zone, {
        year: day.getUTCFullYear(),
        month: day.getUTCMonth() + 1,
        day: day.getUTCDate(),
        hour,
        minute,
        second,
        ms: 0,
      });
      if (t > notBefore || (!strict && t === notBefore)) return { t, clock: true };
    }
    return `"${value}" could not be placed after ${formatLocal(zone, notBefore)}`;
  }
  const t = parseDateTime(value, zone);
  return typeof t === 'number' ? { t, clock: false } : t;
}
