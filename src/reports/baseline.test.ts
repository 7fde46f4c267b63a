import { describe, expect, it } from 'vitest';
import { Baseline, DEFAULT_BASELINE, dayOfWeek, hourOfDay } from './baseline.ts';

const DAY = 1440;
// 2024-01-01 was a Monday.
const MONDAY = Date.UTC(2024, 0, 1) / 60_000;

/** Feed `days` of an exact rate function (expected counts, no noise). */
function feed(b: Baseline, days: number, perHour: (minute: number) => number) {
  for (let h = 0; h < days * 24; h++) {
    const m = MONDAY + h * 60;
    b.observe(m, m + 60, perHour(m));
  }
}

describe('Baseline', () => {
  it('knows the calendar', () => {
    expect(dayOfWeek(MONDAY)).toBe(0);
    expect(dayOfWeek(MONDAY + 6 * DAY)).toBe(6);
    expect(hourOfDay(MONDAY + 13 * 60 + 5)).toBe(13);
  });

  it('starts from its prior', () => {
    const b = new Baseline();
    expect(b.rate(MONDAY) * 60).toBeCloseTo(DEFAULT_BASELINE.priorPerHour, 6);
  });

  it('learns a flat rate', () => {
    const b = new Baseline();
    feed(b, 14, () => 6);
    expect(b.rate(MONDAY + 15 * DAY) * 60).toBeCloseTo(6, 0);
  });

  it('learns a daily and a weekly shape', () => {
    const b = new Baseline();
    // 20/h in the evening, 2/h at night; weekends twice as busy.
    const rate = (m: number) => (hourOfDay(m) >= 18 ? 20 : 2) * (dayOfWeek(m) >= 5 ? 2 : 1);
    feed(b, 28, rate);
    const at = (day: number, hour: number) => b.rate(MONDAY + 28 * DAY + day * DAY + hour * 60) * 60;
    expect(at(0, 20)).toBeGreaterThan(at(0, 3) * 5);
    expect(at(5, 20)).toBeGreaterThan(at(0, 20) * 1.5);
    expect(at(0, 20) / 20).toBeGreaterThan(0.7);
    expect(at(0, 20) / 20).toBeLessThan(1.4);
  });

  it('forgets with its half-life', () => {
    const b = new Baseline({ ...DEFAULT_BASELINE, halfLifeHours: 24 });
    feed(b, 7, () => 60);
    const busy = b.rate(MONDAY + 7 * DAY);
    const quiet = new Baseline({ ...DEFAULT_BASELINE, halfLifeHours: 24 });
    feed(quiet, 7, () => 60);
    quiet.observe(MONDAY + 7 * DAY, MONDAY + 14 * DAY, 0);
    quiet.observe(MONDAY + 14 * DAY, MONDAY + 14 * DAY + 60, 0);
    expect(quiet.rate(MONDAY + 15 * DAY)).toBeLessThan(busy / 20);
  });

  it('caps what one minute can teach', () => {
    const b = new Baseline();
    feed(b, 7, () => 1);
    expect(b.cap(MONDAY + 8 * DAY)).toBeLessThanOrEqual(2);
  });
});
