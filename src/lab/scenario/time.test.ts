import { describe, expect, it } from 'vitest';
import {
  canonicalZone,
  formatDuration,
  localToEpoch,
  parseDateTime,
  parseDuration,
  resolveTime,
  zoneOffsetMs,
} from './time.ts';

const PARIS = 'Europe/Paris';
const H = 3600_000;
const at = (year: number, month: number, day: number, hour: number, minute = 0) =>
  localToEpoch(PARIS, { year, month, day, hour, minute, second: 0, ms: 0 });

describe('local time in a zone, across DST', () => {
  it('knows Paris offsets either side of the March 2021 change', () => {
    expect(zoneOffsetMs(PARIS, Date.UTC(2021, 2, 28, 0, 59))).toBe(1 * H);
    expect(zoneOffsetMs(PARIS, Date.UTC(2021, 2, 28, 1, 0))).toBe(2 * H);
  });

  it('converts March 2021 wall times, moving the skipped hour forward', () => {
    expect(at(2021, 3, 28, 1, 30)).toBe(Date.UTC(2021, 2, 28, 0, 30)); // CET
    expect(at(2021, 3, 28, 3, 30)).toBe(Date.UTC(2021, 2, 28, 1, 30)); // CEST
    // 02:30 does not exist that night: read as 03:30 CEST.
    expect(at(2021, 3, 28, 2, 30)).toBe(Date.UTC(2021, 2, 28, 1, 30));
  });

  it('converts October 2021 wall times, taking the first of a repeated hour', () => {
    expect(at(2021, 10, 31, 1, 30)).toBe(Date.UTC(2021, 9, 30, 23, 30)); // CEST
    expect(at(2021, 10, 31, 2, 30)).toBe(Date.UTC(2021, 9, 31, 0, 30)); // first 02:30, CEST
    expect(at(2021, 10, 31, 3, 30)).toBe(Date.UTC(2021, 9, 31, 2, 30)); // CET
  });

  it('parses scenario datetimes in the zone, or absolute with an offset', () => {
    expect(parseDateTime('2021-03-10T00:47', PARIS)).toBe(Date.UTC(2021, 2, 9, 23, 47));
    expect(parseDateTime('2021-10-13 08:30:15', PARIS)).toBe(Date.UTC(2021, 9, 13, 6, 30, 15));
    expect(parseDateTime('2021-10-13', 'UTC')).toBe(Date.UTC(2021, 9, 13));
    expect(parseDateTime('2021-10-13T08:30Z', PARIS)).toBe(Date.UTC(2021, 9, 13, 8, 30));
    expect(parseDateTime('2021-10-13T08:30+02:00', 'UTC')).toBe(Date.UTC(2021, 9, 13, 6, 30));
    expect(parseDateTime('2021-02-29T00:00', PARIS)).toMatch(/not a valid date/);
    expect(parseDateTime('2021-10-13T24:00', PARIS)).toMatch(/not a valid time/);
  });

  it('validates and canonicalizes zones', () => {
    expect(canonicalZone('europe/paris')).toBe('Europe/Paris');
    expect(canonicalZone('Mars/Olympus')).toBeNull();
  });
});

describe('fault times', () => {
  const start = at(2021, 3, 27, 12); // the day before spring-forward

  it('places a clock time at its first occurrence at or after start, across the DST change', () => {
    expect(resolveTime('12:00', PARIS, start, start)).toEqual({ t: start, clock: true });
    // 09:00 has passed on the 27th: next day, in summer time.
    expect(resolveTime('09:00', PARIS, start, start)).toEqual({ t: Date.UTC(2021, 2, 28, 7), clock: true });
  });

  it('places `until` strictly after `at`', () => {
    const a = at(2021, 3, 27, 13);
    expect(resolveTime('13:00', PARIS, start, a, true)).toEqual({ t: a + 24 * H - H, clock: true });
  });

  it('reads offsets as elapsed time, not calendar days', () => {
    expect(resolveTime('+1d', PARIS, start, start)).toEqual({ t: start + 24 * H, clock: false });
    expect(resolveTime('+1h30m', PARIS, start, start)).toEqual({ t: start + 1.5 * H, clock: false });
  });

  it('accepts the extension of a full local datetime', () => {
    expect(resolveTime('2021-10-31T02:30', PARIS, start, start)).toEqual({
      t: Date.UTC(2021, 9, 31, 0, 30),
      clock: false,
    });
  });
});

describe('durations', () => {
  it.each([
    ['60s', 60_000],
    ['20m', 1_200_000],
    ['1h', H],
    ['2d', 48 * H],
    ['1h30m', 1.5 * H],
    ['250ms', 250],
    [90, 90_000],
  ] as const)('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('rejects malformed durations', () => {
    for (const bad of ['', 'm', '1x', '1m1h', '-5s']) expect(parseDuration(bad)).toBeNull();
  });

  it('formats durations compactly', () => {
    expect(formatDuration(3 * H)).toBe('3h');
    expect(formatDuration(50 * H + 60_000)).toBe('2d2h1m');
  });
});
