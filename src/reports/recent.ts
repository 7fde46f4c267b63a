/**
 * The last few counted reporters of a site (keyed ids and network hashes, never addresses), so the
 * spike test can require distinct reporters and distinct networks across one site or many. Only
 * thresholds matter (a handful), so a small ring per site is enough.
 */
export const RECENT = 8;

export class RecentReporters {
  private readonly ids = new Float64Array(RECENT);
  private readonly nets = new Uint32Array(RECENT);
  private readonly mins = new Int32Array(RECENT).fill(-1);
  private pos = 0;

  add(minute: number, reporter: number, network: number): void {
    this.ids[this.pos] = reporter;
    this.nets[this.pos] = network;
    this.mins[this.pos] = minute;
    this.pos = (this.pos + 1) % RECENT;
  }

  /** Add this site's reporters since `from` (minutes) into the running distinct sets; stops at `cap`. */
  collect(from: number, into: { ids: number[]; nets: number[] }, cap: number): void {
    for (let i = 0; i < RECENT; i++) {
      if (this.mins[i] < from) continue;
      if (into.ids.length < cap && !into.ids.includes(this.ids[i])) into.ids.push(this.ids[i]);
      if (into.nets.length < cap && !into.nets.includes(this.nets[i])) into.nets.push(this.nets[i]);
    }
  }
}
