/**
 * The dependency graph of the sites watched, kept up to date as they come, go and are mapped
 * again — without mapping or converting the others anew. It holds every site's latest map (in the
 * order sites were first mapped), the co-hosting counts that decide plans, and each site's part of
 * the graph (`siteDependencies`). A change re-tells the plans, and rebuilds the dependencies, of
 * the changed sites and of the sites sharing an address with them — the only ones whose plan a
 * change can alter. The result is what `assignPlans` and `toDependencies` over all the maps, in
 * that order, would give.
 */
import type { Component } from '../model/component.ts';
import { CoHosting, countedAddresses } from './cohost.ts';
import { type DependencyGraph, siteDependencies } from './dependencies.ts';
import type { DomainMap } from './types.ts';

export class MapGraph {
  private readonly all = new Map<string, DomainMap>();
  /** When each site was first mapped (its place in {@link maps}' order). */
  private readonly seq = new Map<string, number>();
  private next = 0;
  private readonly co = new CoHosting(true);
  private readonly own = new Map<string, DependencyGraph>();
  /** Component id → the site first in order that names it, and the component as that site saw it. */
  private readonly first = new Map<string, { seq: number; domain: string; c: Component }>();
  private readonly described = new Map<string, Component>();
  private whole: DependencyGraph | null = null;

  /** The latest map of every site, in the order sites were first mapped. */
  get maps(): ReadonlyMap<string, DomainMap> {
    return this.all;
  }

  /** Every component named, described as the first site (in order) naming it saw it. */
  get components(): ReadonlyMap<string, Component> {
    return this.described;
  }

  /** One site's dependencies (none for a site not mapped `ok` or unknown). */
  dependenciesOf(domain: string): DependencyGraph['dependencies'] {
    return this.own.get(domain)?.dependencies ?? [];
  }

  /** The whole graph, as `toDependencies` over {@link maps} would give it. */
  graph(): DependencyGraph {
    if (!this.whole) {
      const dependencies: DependencyGraph['dependencies'] = [];
      for (const d of this.all.keys()) for (const x of this.dependenciesOf(d)) dependencies.push(x);
      this.whole = { components: [...this.described.values()], dependencies };
    }
    return this.whole;
  }

  /**
   * Sites mapped (again): their plans and those of their neighbours on an address are told anew.
   * Returns the sites whose dependencies were rebuilt.
   */
  set(maps: readonly DomainMap[]): Set<string> {
    const addresses = new Set<string>();
    const changed = new Set<string>();
    for (const m of maps) {
      const old = this.all.get(m.domain);
      if (old) {
        for (const a of countedAddresses(old)) addresses.add(a);
        this.co.remove(old);
      } else this.seq.set(m.domain, this.next++);
      for (const a of countedAddresses(m)) addresses.add(a);
      this.co.add(m);
      this.all.set(m.domain, m);
      changed.add(m.domain);
    }
    this.retell(this.co.neighbours(addresses, changed));
    return changed;
  }

  /** Sites no longer watched. Returns the sites whose dependencies were rebuilt or dropped. */
  remove(domains: readonly string[]): Set<string> {
    const addresses = new Set<string>();
    const lost = new Set<string>();
    const gone = new Set<string>();
    for (const d of domains) {
      const old = this.all.get(d);
      if (!old) continue;
      for (const a of countedAddresses(old)) addresses.add(a);
      this.co.remove(old);
      for (const c of this.own.get(d)?.components ?? [])
        if (this.first.get(c.id)?.domain === d) lost.add(c.id);
      this.all.delete(d);
      this.own.delete(d);
      this.seq.delete(d);
      gone.add(d);
    }
    const neighbours = this.co.neighbours(addresses);
    this.retell(neighbours, lost);
    for (const d of gone) neighbours.add(d);
    return neighbours;
  }

  /** Tell these sites' plans again and rebuild their dependencies; `lost`: components to describe anew. */
  private retell(sites: Set<string>, lost = new Set<string>()): void {
    this.whole = null;
    for (const d of sites) {
      const m = this.all.get(d) as DomainMap;
      this.co.tell(m);
      const seq = this.seq.get(d) as number;
      const before = this.own.get(d)?.components ?? [];
      const now = siteDependencies(m);
      this.own.set(d, now);
      const named = new Set<string>();
      for (const c of now.components) {
        named.add(c.id);
        const f = this.first.get(c.id);
        if (!f || seq <= f.seq) {
          this.first.set(c.id, { seq, domain: d, c });
          this.described.set(c.id, c);
        }
      }
      for (const c of before) if (!named.has(c.id) && this.first.get(c.id)?.domain === d) lost.add(c.id);
    }
    if (lost.size === 0) return;
    // A component's first describer no longer names it: the next site in order that does.
    for (const id of lost) {
      this.first.delete(id);
      this.described.delete(id);
    }
    for (const d of this.all.keys()) {
      for (const c of this.own.get(d)?.components ?? []) {
        if (!lost.has(c.id)) continue;
        lost.delete(c.id);
        this.first.set(c.id, { seq: this.seq.get(d) as number, domain: d, c });
        this.described.set(c.id, c);
      }
      if (lost.size === 0) break;
    }
  }
}
