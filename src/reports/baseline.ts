/**
 * A site's usual report rate, by time of day and day of week, learnt from its own past with
 * exponential forgetting. The rate at minute m is
 *
 *   λ(m) = R · f_hour(hour of day) · f_day(day of week),  never below a floor,
 *
 * where R = (a₀ + C) / (b₀ + E) is the mean rate (C counted reports and E minutes of exposure, both
 * decayed with a half-life; a₀/b₀ a prior so a new site starts somewhere sensible), and each factor
 * f = (c + K) / (e·R + K) compares what that hour (or day) saw with what R predicted, shrunk towards
 * 1 by K pseudo-reports so a few reports cannot make a slot look busy. This is a multiplicative
 * factorisation of the hour-of-week rate (24 + 7 slots instead of 168): it learns a weekly shape in
 * days rather than months.
 *
 * What it is fed decides what it learns: the detector never feeds minutes flagged as a spike or as an
 * outage, and caps each minute's count (winsorises) so one burst cannot inflate the rate.
 * Time is in whole minutes since the epoch (UTC); days of week start on Monday.
 */

export interface BaselineOptions {
  /** Prior mean rate of a site, reports per hour. */
  priorPerHour: number;
  /** Weight of that prior, in minutes of exposure. */
  priorWeightMin: number;
  /** Half-life of what was learnt, hours. */
  halfLifeHours: number;
  /** Pseudo-reports shrinking each hour-of-day / day-of-week factor towards 1. */
  shapeWeight: number;
  /** The rate never goes below this (reports per hour). */
  floorPerHour: number;
  /** Largest negative-binomial shape (smaller = more over-dispersion allowed). */
  maxDispersionShape: number;
}

export const DEFAULT_BASELINE: BaselineOptions = {
  priorPerHour: 0.05,
  priorWeightMin: 6 * 60,
  halfLifeHours: 14 * 24,
  shapeWeight: 4,
  floorPerHour: 0.01,
  maxDispersionShape: 10,
};

// Layout of the state vector.
const C = 0;
const E = 1;
const HC = 2;
const HE = HC + 24;
const DC = HE + 24;
const DE = DC + 7;
const LEN = DE + 7;

export const hourOfDay = (minute: number) => Math.floor(minute / 60) % 24;
/** 0 = Monday (1970-01-01 was a Thursday). */
export const dayOfWeek = (minute: number) => (Math.floor(minute / 1440) + 3) % 7;

export class Baseline {
  private readonly s = new Float64Array(LEN);
  /** The hour being accumulated, and what it has seen so far. */
  private hour = -1;
  private hourCount = 0;
  private hourExposure = 0;
  private readonly decay: number;

  constructor(private readonly o: BaselineOptions = DEFAULT_BASELINE) {
    this.decay = 2 ** (-1 / o.halfLifeHours);
  }

  /** Learn `count` reports over minutes [from, to) (count attributed to the last minute's hour). */
  observe(from: number, to: number, count = 0): void {
    let m = from;
    while (m < to) {
      const h = Math.floor(m / 60);
      this.enterHour(h);
      const end = Math.min(to, (h + 1) * 60);
      this.hourExposure += end - m;
      m = end;
    }
    if (count > 0) {
      if (this.hour < 0) this.enterHour(Math.floor((to - 1) / 60));
      this.hourCount += count;
    }
  }

  /** Expected reports per minute at `minute`. */
  rate(minute: number): number {
    const s = this.s;
    const o = this.o;
    const a0 = (o.priorPerHour / 60) * o.priorWeightMin;
    const r = (a0 + s[C]) / (o.priorWeightMin + s[E]);
    const k = o.shapeWeight;
    const h = hourOfDay(minute);
    const d = dayOfWeek(minute);
    const fh = (s[HC + h] + k) / (s[HE + h] * r + k);
    const fd = (s[DC + d] + k) / (s[DE + d] * r + k);
    return Math.max(o.floorPerHour / 60, r * fh * fd);
  }

  /** Expected reports over minutes [from, to), and the negative-binomial shape to test them with. */
  expected(from: number, to: number): { mean: number; shape: number } {
    let mean = 0;
    let m = from;
    while (m < to) {
      const end = Math.min(to, (Math.floor(m / 60) + 1) * 60);
      mean += this.rate(m) * (end - m);
      m = end;
    }
    return { mean, shape: this.shape() };
  }

  /**
   * Over-dispersion allowed: the posterior shape of the mean rate (few reports seen → wide), at least 1
   * (geometric), at most the configured cap.
   */
  shape(): number {
    const a0 = (this.o.priorPerHour / 60) * this.o.priorWeightMin;
    return Math.min(this.o.maxDispersionShape, Math.max(1, a0 + this.s[C]));
  }

  /** Minutes of exposure learnt (decayed): how much the baseline can be trusted. */
  exposure(): number {
    return this.s[E];
  }

  /** Largest count of one minute worth learning from at `minute` (a winsorising cap). */
  cap(minute: number): number {
    const l = this.rate(minute);
    return Math.ceil(l + 4 * Math.sqrt(l * (1 + l / this.shape())) + 1);
  }

  private enterHour(h: number): void {
    if (h <= this.hour) return;
    if (this.hour >= 0) this.fold();
    const s = this.s;
    if (this.hour >= 0 && h > this.hour + 1) {
      const f = this.decay ** (h - this.hour - 1);
      for (let i = 0; i < LEN; i++) s[i] *= f;
    }
    this.hour = h;
    this.hourCount = 0;
    this.hourExposure = 0;
  }

  /** Add the finished hour to its slots, after forgetting a little of everything. */
  private fold(): void {
    const s = this.s;
    for (let i = 0; i < LEN; i++) s[i] *= this.decay;
    const minute = this.hour * 60;
    const h = hourOfDay(minute);
    const d = dayOfWeek(minute);
    const c = this.hourCount;
    const e = this.hourExposure;
    s[C] += c;
    s[E] += e;
    s[HC + h] += c;
    s[HE + h] += e;
    s[DC + d] += c;
    s[DE + d] += e;
  }
}
