/**
 * The risk model as sites come and go: N mapped sites (the population of `test/support/map-population.ts`,
 * shaped like `inference-scale`'s world: Zipf-sized hosts, shared addresses, CDNs, platforms, mail),
 * then one site added, one removed, one mapped again after it moved host — each applied (a) as the
 * pipeline did before: plans over every map, `toDependencies` over every map, `buildRisk` from scratch;
 * (b) incrementally: `MapGraph` (the changed sites and their neighbours on an address) and `LiveRisk`
 * (those sites set again, the model frozen anew). After each, both models must be identical.
 * Run with `npm run bench -- risk-update [SITES…]` (default 10000 100000); the last line is one JSON object.
 */
import { isDeepStrictEqual } from 'node:util';
import { buildRisk, LiveRisk, type RiskModel } from '../src/explain/risk.ts';
import { assignPlans } from '../src/map/cohost.ts';
import { toDependencies } from '../src/map/dependencies.ts';
import { MapGraph } from '../src/map/graph.ts';
import type { DomainMap } from '../src/map/types.ts';
import { rng } from '../test/support/explain/simulate.ts';
import { population } from '../test/support/map-population.ts';

const args = process.argv.slice(2).filter((a) => /^\d+$/.test(a));
const sizes = args.length ? args.map(Number) : [10_000, 100_000];
const say = (s: string) => process.stdout.write(`${s}\n`);
const monitored = { dns: false, mail: true };
const REPEAT = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ms = (x: number) => Math.round(x * 10) / 10;

function measure(N: number) {
  const pop = population(7, N);
  const r = rng(11);
  const initial = Array.from({ length: N }, () => pop.site());
  // (a) before: a map of every site, everything rebuilt on each change.
  const maps = new Map<string, DomainMap>();
  for (const m of structuredClone(initial)) maps.set(m.domain, m);
  const rebuild = (): RiskModel => {
    assignPlans([...maps.values()]);
    const graph = toDependencies([...maps.values()]);
    return buildRisk({ ...graph, sites: [...maps.keys()], monitored });
  };
  // (b) incremental: the pipeline's update.
  const graphs = new MapGraph();
  const live = new LiveRisk(monitored);
  const apply = (changed: Iterable<string>): RiskModel => {
    live.describe(graphs.components);
    for (const d of changed) {
      if (graphs.maps.has(d)) live.set(d, graphs.dependenciesOf(d));
      else live.remove(d);
    }
    return live.model();
  };
  let t = performance.now();
  rebuild();
  const firstRebuild = performance.now() - t;
  t = performance.now();
  apply(graphs.set(initial));
  const firstIncremental = performance.now() - t;

  const pick = () => {
    const keys = [...graphs.maps.keys()];
    for (;;) {
      const d = keys[Math.floor(r() * keys.length)];
      if (graphs.maps.get(d)?.status === 'ok') return d;
    }
  };
  type Op = { name: string; before: () => void; after: () => Set<string> };
  const ops: (() => Op)[] = [
    () => {
      const m = pop.site();
      return {
        name: 'add',
        before: () => void maps.set(m.domain, structuredClone(m)),
        after: () => graphs.set([m]),
      };
    },
    () => {
      const d = pick();
      return {
        name: 'remove',
        before: () => void maps.delete(d),
        after: () => graphs.remove([d]).add(d),
      };
    },
    () => {
      const m = pop.moved(graphs.maps.get(pick()) as DomainMap);
      return {
        name: 'remap',
        before: () => void maps.set(m.domain, structuredClone(m)),
        after: () => graphs.set([m]),
      };
    },
  ];
  const out: Record<string, number | boolean> = {
    sites: N,
    first_build_rebuild_ms: ms(firstRebuild),
    first_build_incremental_ms: ms(firstIncremental),
  };
  let identical = true;
  let changedMax = 0;
  for (const make of ops) {
    const a: number[] = [];
    const b: number[] = [];
    const bGraph: number[] = [];
    let name = '';
    for (let k = 0; k < REPEAT; k++) {
      const op = make();
      name = op.name;
      t = performance.now();
      op.before();
      const rebuilt = rebuild();
      a.push(performance.now() - t);
      t = performance.now();
      const changed = op.after();
      bGraph.push(performance.now() - t);
      const model = apply(changed);
      b.push(performance.now() - t);
      changedMax = Math.max(changedMax, changed.size);
      // The last of each: compared array for array (slow at 100,000 sites, so once per operation).
      if (k === REPEAT - 1) identical &&= isDeepStrictEqual(model, rebuilt);
    }
    out[`${name}_rebuild_ms`] = ms(median(a));
    out[`${name}_incremental_ms`] = ms(median(b));
    out[`${name}_graph_ms`] = ms(median(bGraph));
    say(
      `${N.toLocaleString('en')} sites, ${name} one: rebuild ${ms(median(a))} ms, incremental ${ms(median(b))} ms (graph ${ms(median(bGraph))} ms, rest freezing the model) — median of ${REPEAT}`,
    );
  }
  out.rebuild_ms = out.add_rebuild_ms;
  out.incremental_ms = out.add_incremental_ms;
  out.speedup = ms((out.add_rebuild_ms as number) / (out.add_incremental_ms as number));
  out.changed_sites_max = changedMax;
  out.identical = identical;
  return out;
}

const runs = sizes.map((n) => {
  const r = measure(n);
  (globalThis as { gc?: () => void }).gc?.();
  return r;
});
const last = runs[runs.length - 1];
say(JSON.stringify({ ...last, runs }));
