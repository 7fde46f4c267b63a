import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../errors.ts';
import { loadScenario, parseScenario } from './load.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const small = readFileSync(fixture('small.yaml'), 'utf8');

/** Load `text`, expecting failure; return the error's lines. */
function problemsOf(text: string): string[] {
  try {
    parseScenario(text, 'bad.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('VIGIE_INVALID_INPUT');
    return (err as InputError).message.split('\n');
  }
  throw new Error('expected the scenario to be rejected');
}

function edit(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

describe('parseScenario rejects malformed scenarios with file:line: field:', () => {
  const cases: { name: string; text: string; expect: string[] }[] = [
    {
      name: 'YAML syntax error',
      text: edit(small, '    count: 3\n', '   count: 3\n'),
      expect: ['bad.yaml:18: yaml: '],
    },
    {
      name: 'duplicate YAML key',
      text: edit(small, '    asn: 13335\n', '    asn: 13335\n    asn: 1\n'),
      expect: ['bad.yaml:15: yaml: Map keys must be unique'],
    },
    {
      name: 'unknown top-level key',
      text: `${small}colour: red\n`,
      expect: ['bad.yaml:34: colour: unknown field'],
    },
    {
      name: 'typo in a nested key',
      text: edit(small, '    until: "10:20"', '    untill: "10:20"'),
      expect: ["bad.yaml:27: faults[0].untill: unknown field (did you mean 'until'?)"],
    },
    {
      name: 'typo in effect kind',
      text: edit(small, '{kind: blackhole}', '{kind: blackhol}'),
      expect: [
        "bad.yaml:29: faults[0].effect.kind: unknown effect kind 'blackhol' (did you mean 'blackhole'?)",
      ],
    },
    {
      name: 'missing effect parameter',
      text: edit(small, '{kind: blackhole}', '{kind: slow}'),
      expect: ['bad.yaml:29: faults[0].effect.latency_ms: missing required field'],
    },
    {
      name: 'parameter of another kind',
      text: edit(small, '{kind: blackhole}', '{kind: blackhole, status: 500}'),
      expect: ['bad.yaml:29: faults[0].effect.status: unknown field'],
    },
    {
      name: 'share out of range',
      text: edit(small, '    effect: {kind: blackhole}\n', '    effect: {kind: blackhole}\n    share: 1.5\n'),
      expect: ['bad.yaml:30: faults[0].share: must be at most 1 (got 1.5)'],
    },
    {
      name: 'asn out of range',
      text: edit(small, 'asn: 13335', 'asn: 4294967296'),
      expect: ['bad.yaml:14: providers[1].asn: must be at most 4,294,967,295 (got 4294967296)'],
    },
    {
      name: 'missing provider reference',
      text: edit(small, 'cdn: cloudflare', 'cdn: cloudfare'),
      expect: ["bad.yaml:22: sites[1].cdn: unknown provider 'cloudfare' (did you mean 'cloudflare'?)"],
    },
    {
      name: 'provider without the role',
      text: edit(small, 'cdn: cloudflare', 'cdn: ovh'),
      expect: ["bad.yaml:22: sites[1].cdn: provider 'ovh' does not have role cdn"],
    },
    {
      name: 'hosting provider reference',
      text: edit(small, 'hosting: {provider: ovh}', 'hosting: {provider: ovhh}'),
      expect: ["bad.yaml:21: sites[1].hosting.provider: unknown provider 'ovhh'"],
    },
    {
      name: 'region not in provider',
      text: edit(small, 'region: gra', 'region: lil'),
      expect: ["bad.yaml:19: sites[0].hosting.region: region 'lil' is not one of provider 'ovh'"],
    },
    {
      name: 'duplicate domains after expansion',
      text: edit(small, 'domain: news.example', 'domain: shop-2.test'),
      expect: [
        "bad.yaml:20: sites[1].domain: domain 'shop-2.test' is defined twice (also by the site at line 17)",
      ],
    },
    {
      name: 'count without {n}',
      text: edit(small, 'domain: shop-{n}.test', 'domain: shop.test'),
      expect: ['bad.yaml:17: sites[0].domain: count is 3 but "shop.test" has no {n}'],
    },
    {
      name: 'invalid host name',
      text: edit(small, 'domain: news.example', 'domain: news-.example'),
      expect: ['bad.yaml:20: sites[1].domain: "news-.example" has an invalid label'],
    },
    {
      name: 'bad time (pattern)',
      text: edit(small, 'at: "09:12"', 'at: "9h12"'),
      expect: ['bad.yaml:26: faults[0].at: must be a clock time'],
    },
    {
      name: 'bad time (range)',
      text: edit(small, 'at: "09:12"', 'at: "25:12"'),
      expect: ['bad.yaml:26: faults[0].at: "25:12" is not a valid clock time'],
    },
    {
      name: 'bad start datetime',
      text: edit(small, 'start: 2021-10-13T08:30', 'start: 2021-02-30T08:30'),
      expect: ['bad.yaml:5: start: "2021-02-30T08:30" is not a valid date'],
    },
    {
      name: 'until before at',
      text: edit(edit(small, 'at: "09:12"', 'at: "+90m"'), 'until: "10:20"', 'until: "+30m"'),
      expect: ['bad.yaml:27: faults[0].until: "+30m" (2021-10-13T09:00) is not after at (2021-10-13T10:00)'],
    },
    {
      name: 'clock until that only recurs after the end',
      text: edit(small, 'until: "10:20"', 'until: "09:00"'),
      expect: [
        'bad.yaml:27: faults[0].until: "09:00" next comes at 2021-10-14T09:00, after the scenario\'s end',
      ],
    },
    {
      name: 'at after the end',
      text: edit(small, 'at: "09:12"', 'at: "+5h"'),
      expect: ['bad.yaml:26: faults[0].at: "+5h" is 2021-10-13T13:30, not before the scenario\'s end'],
    },
    {
      name: 'end before start',
      text: edit(small, 'end: 2021-10-13T11:30', 'end: 2021-10-13T07:30'),
      expect: ['bad.yaml:6: end: end (2021-10-13T07:30) must be after start'],
    },
    {
      name: 'bad timezone',
      text: edit(small, 'timezone: Europe/Paris', 'timezone: Europe/Pariss'),
      expect: ["bad.yaml:4: timezone: unknown time zone 'Europe/Pariss'"],
    },
    {
      name: 'selector matching nothing',
      text: edit(small, 'target: {provider: ovh}', 'target: {provider: cloudflare, role: dns}'),
      expect: ['bad.yaml:28: faults[0].target: selects no site'],
    },
    {
      name: 'selector with an unknown region',
      text: edit(small, 'target: {provider: ovh}', 'target: {provider: ovh, region: lil}'),
      expect: ["bad.yaml:28: faults[0].target.region: region 'lil' is not one of provider 'ovh'"],
    },
    {
      name: 'selector with an unknown component',
      text: edit(small, 'target: {provider: ovh}', 'target: {component: fw-2}'),
      expect: [
        "bad.yaml:28: faults[0].target.component: no site shares component 'fw-2' (did you mean 'fw-1'?)",
      ],
    },
    {
      name: 'truth referring to an unknown fault',
      text: edit(small, 'fault: backbone', 'fault: backbon'),
      expect: ["bad.yaml:31: truth[0].fault: unknown fault 'backbon' (did you mean 'backbone'?)"],
    },
    {
      name: 'truth clearing an unknown provider',
      text: edit(small, 'not: [cloudflare]', 'not: [cloudflare, aws]'),
      expect: ["bad.yaml:33: truth[0].not[1]: unknown provider 'aws'"],
    },
    {
      name: 'several problems at once, in line order',
      text: edit(edit(small, 'cdn: cloudflare', 'cdn: cdnx'), 'region: gra', 'region: lil'),
      expect: ['bad.yaml:19: sites[0].hosting.region: ', 'bad.yaml:22: sites[1].cdn: '],
    },
    {
      name: 'duplicate provider id',
      text: edit(small, '- id: cloudflare', '- id: ovh'),
      expect: [
        "bad.yaml:13: providers[1].id: provider 'ovh' is already defined at line 8",
        "bad.yaml:22: sites[1].cdn: unknown provider 'cloudflare'",
        "bad.yaml:33: truth[0].not[0]: unknown provider 'cloudflare'",
      ],
    },
  ];

  it.each(cases)('$name', (c) => {
    const lines = problemsOf(c.text);
    expect(lines).toHaveLength(c.expect.length);
    for (const [i, prefix] of c.expect.entries()) {
      expect(lines[i].startsWith(prefix), `${lines[i]}\n  ≠ ${prefix}`).toBe(true);
    }
  });

  it('locates errors in JSON input too', () => {
    const json =
      '{\n  "name": "x",\n  "start": "2021-01-01T00:00",\n  "end": "2021-01-02",\n  "providers": [],\n  "sites": [{"domain": "a.test", "hosting": "x", "wat": 1}]\n}\n';
    expect(problemsOf(json)).toEqual([
      expect.stringMatching(/^bad\.yaml:5: providers: must not be empty/),
      expect.stringMatching(/^bad\.yaml:6: sites\[0\]\.wat: unknown field/),
    ]);
  });
});

describe('parseScenario normalizes valid scenarios', () => {
  it('loads the example of scenario-format.md', () => {
    const s = loadScenario(fixture('format-example.yaml'));
    expect(s.name).toBe('ovh-backbone-2021');
    expect(s.timezone).toBe('Europe/Paris');
    expect(s.start).toBe(Date.UTC(2021, 9, 13, 6, 30)); // 08:30 CEST
    expect(s.end - s.start).toBe(3 * 3600_000);
    expect(s.sites).toHaveLength(400);
    expect(s.sites[399]).toMatchObject({ domain: 'shop-400.test', dns: 'ovh', cdn: 'cloudflare', weight: 1 });
    expect(s.faults[0]).toMatchObject({
      id: 'backbone',
      at: Date.UTC(2021, 9, 13, 7, 12),
      until: Date.UTC(2021, 9, 13, 8, 20),
      recoveryMs: 20 * 60_000,
      flap: { periodMs: 5 * 60_000, duty: 0.5 },
      share: 1,
    });
    expect(s.vantages.map((v) => v.id)).toEqual(['paris', 'frankfurt']);
    expect(s.vantages[1].faults[0]).toEqual({
      at: Date.UTC(2021, 9, 13, 8, 0),
      until: Date.UTC(2021, 9, 13, 8, 30),
      effect: { kind: 'blackhole' },
    });
    expect(s.noise).toEqual({ siteFailures: 0.005, probeLoss: 0.002 });
    expect(s.reports).toEqual({ baselinePerHour: 0.05, surge: 30 });
    expect(s.truth).toMatchObject([
      { fault: 'backbone', cause: { provider: 'ovh' }, not: ['cloudflare', 'aws'] },
    ]);
  });

  it('applies defaults and expands templates', () => {
    const s = parseScenario(small, 'small.yaml');
    expect(s.file).toBe('small.yaml');
    expect(s.speed).toBe(60);
    expect(s.probeIntervalMs).toBe(60_000);
    expect(s.sites.map((x) => x.domain)).toEqual([
      'shop-1.test',
      'shop-2.test',
      'shop-3.test',
      'news.example',
    ]);
    expect(s.sites.map((x) => x.line)).toEqual([17, 17, 17, 20]);
    // No region given, provider has regions: the first one. No plan: dedicated. No dns: the host.
    expect(s.sites[3]).toMatchObject({
      hosting: { provider: 'ovh', region: 'rbx', plan: 'dedicated' },
      dns: 'ovh',
    });
    expect(s.providers[1]).toMatchObject({ id: 'cloudflare', name: 'cloudflare', regions: [] });
    expect(s.faults[0].line).toBe(25);
    expect(s.noise).toEqual({ siteFailures: 0, probeLoss: 0 });
    expect(s.reports).toBeNull();
    expect(s.vantages).toEqual([{ id: 'local', faults: [] }]);
  });

  it('expands {n} anywhere, any number of times', () => {
    const text = edit(
      small,
      'domain: shop-{n}.test\n    count: 3',
      'domain: a{n}b.zone{n}.test\n    count: 12',
    );
    const s = parseScenario(text, 'x.yaml');
    expect(s.sites).toHaveLength(13);
    expect(s.sites[11].domain).toBe('a12b.zone12.test');
  });

  it('accepts x- extensions, hosting shorthand, JSON input and defaults to UTC', () => {
    const json = JSON.stringify({
      name: 'j',
      'x-note': 'anything',
      start: '2021-01-01T00:00',
      end: '2021-01-01T01:00',
      providers: [{ id: 'h', asn: 64500, roles: ['hosting'], 'x-colour': 'red' }],
      sites: [{ domain: 'a.test', hosting: 'h' }],
      faults: [{ id: 'f', at: '+10m', target: { domains: ['a.test'] }, effect: { kind: 'overload' } }],
    });
    const s = parseScenario(json, 'j.json');
    expect(s.timezone).toBe('UTC');
    expect(s.start).toBe(Date.UTC(2021, 0, 1));
    expect(s.faults[0]).toMatchObject({
      at: Date.UTC(2021, 0, 1, 0, 10),
      until: null,
      effect: { kind: 'overload', latencyMs: 0, errorRate: 0, queuePage: false },
    });
    // The host serves the zone by default, so it takes the dns role.
    expect(s.providers[0].roles).toEqual(['hosting', 'dns']);
  });

  it('reports an unreadable file with its path', () => {
    expect(() => loadScenario('/nonexistent/x.yaml')).toThrow(
      /^\/nonexistent\/x\.yaml:1: file: cannot read: ENOENT/,
    );
  });
});
