/**
 * Bounds on what a scenario may ask for (sites, speed, durations) and on what its YAML may expand
 * to: every excess is a located `file:line: field: message` stating the bound, found before any
 * memory is spent on it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../errors.ts';
import { parseScenario } from './load.ts';
import { scenarioSchema } from './validate.ts';

const small = readFileSync(new URL('./fixtures/small.yaml', import.meta.url), 'utf8');

function edit(from: string, to: string): string {
  expect(small).toContain(from);
  return small.replace(from, to);
}

/** The problems of `text`, as printed; fails the test when it loads. */
function problemsOf(text: string): string[] {
  try {
    parseScenario(text, 'bad.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).message.split('\n');
  }
  throw new Error('expected the scenario to be rejected');
}

const BOMB = [
  'x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  'x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  'x-f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
  'x-g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]',
  'x-h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]',
  'x-i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]',
].join('\n');

describe('scenario bounds', () => {
  it.each([
    [
      'count: 100000000000',
      edit('count: 3', 'count: 100000000000'),
      /^bad\.yaml:18: sites\[0\]\.count: must be at most 1,000,000 \(got 100000000000\)$/,
    ],
    [
      'count: 30000000',
      edit('count: 3', 'count: 30000000'),
      /^bad\.yaml:18: sites\[0\]\.count: must be at most 1,000,000/,
    ],
    [
      'two counts of 600,000',
      edit('count: 3', 'count: 600000').replace(
        '- domain: news.example',
        '- domain: news-{n}.example\n    count: 600000',
      ),
      /^bad\.yaml:20: sites\[1\]: 1,200,000 sites in all \(counts expanded\); a scenario holds at most 1,000,000$/,
    ],
    [
      'speed: 1e308',
      edit('end: 2021-10-13T11:30', 'end: 2021-10-13T11:30\nspeed: 1e308'),
      /^bad\.yaml:7: speed: must be at most 10,000 \(got 1e\+308\)$/,
    ],
    [
      'probe_interval: 99999999999999999999h',
      edit('end: 2021-10-13T11:30', 'end: 2021-10-13T11:30\nprobe_interval: 99999999999999999999h'),
      /^bad\.yaml:7: probe_interval: must be a duration like 60s, from 1s to 1825d \(5 years\)$/,
    ],
    [
      'probe_interval: 9999999999 (seconds)',
      edit('end: 2021-10-13T11:30', 'end: 2021-10-13T11:30\nprobe_interval: 9999999999'),
      /^bad\.yaml:7: probe_interval: must be at most 157,680,000/,
    ],
    [
      'a ten-year window',
      edit('end: 2021-10-13T11:30', 'end: 2031-10-13T11:30'),
      /^bad\.yaml:6: end: the scenario lasts 365\dd\w*; at most 1825d \(5 years\)$/,
    ],
    [
      'an offset of 99999999d',
      edit('until: "10:20"', 'until: "+99999999d"'),
      /^bad\.yaml:27: faults\[0\]\.until: "\+99999999d" is more than 1825d \(5 years\) after start$/,
    ],
    [
      'a recovery over 999999999999h',
      edit('effect: {kind: blackhole}', 'effect: {kind: blackhole}\n    recovery: {over: 999999999999h}'),
      /^bad\.yaml:30: faults\[0\]\.recovery\.over: must be at most 1825d \(5 years\)$/,
    ],
    [
      'an alias bomb',
      `${BOMB}\n${small}`,
      /^bad\.yaml:3: yaml: aliases expand too much \(more than 10,000 resolutions\)/,
    ],
  ])('%s → a located problem stating the bound', (_name, text, expected) => {
    const started = performance.now();
    const lines = problemsOf(text);
    expect(lines[0]).toMatch(expected);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('still accepts aliases used as intended (<<: *defaults on many entries)', () => {
    const text = edit(
      'sites:\n',
      `x-defaults: &site {hosting: {provider: ovh, region: gra, plan: shared}}\nsites:\n${Array.from(
        { length: 300 },
        (_, i) => `  - {<<: *site, domain: extra-${i}.test}\n`,
      ).join('')}`,
    );
    expect(parseScenario(text, 'ok.yaml').sites).toHaveLength(304);
  });

  it('states the bounds in the schema (the one that validates)', () => {
    const { properties: p, $defs: d } = scenarioSchema;
    expect([p.speed.maximum, p.sites.maxItems, d.site.properties.count.maximum]).toEqual([
      10_000, 1_000_000, 1_000_000,
    ]);
    expect(d.duration.maximum).toBe(1825 * 86_400);
    expect([p.speed.description, d.duration.description]).toEqual([
      expect.stringMatching(/at most 10,000/),
      expect.stringMatching(/at most 1825d \(5 years\)/),
    ]);
  });
});
