import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { parseServeConfig } from '../server/config.ts';
import { loadAlertsFile } from './config.ts';

const GOOD = `
alerts:
  update_interval: 10m
  channels:
    ops-hook:
      kind: webhook
      url: https://hooks.example.org/vigie
      secret: \${HOOK_SECRET}
    team:
      kind: slack
      url_env: SLACK_URL
    oncall:
      kind: email
      host: smtp.example.org
      port: 587
      user: vigie
      password_env: SMTP_PASSWORD
      from: vigie@example.org
      to: [ops@example.org]
    phone:
      kind: ntfy
      topic: vigie-ops
  subscriptions:
    - channel: ops-hook
      providers: [ovh]
      min_sites: 10
    - channel: team
      tags: [shop]
      kinds: [opened, resolved, reported]
maintenance:
  - id: ovh-work
    title: OVH network work
    start: 2026-12-03T22:00:00Z
    duration: 2h
    providers: [ovh]
`;
const ENV = {
  HOOK_SECRET: 'hook-secret-0123456789abcdef',
  SLACK_URL: 'https://hooks.slack.com/services/T/B/x',
  SMTP_PASSWORD: 'pw-!',
};

function problems(text: string, env: NodeJS.ProcessEnv = ENV): string[] {
  try {
    parseServeConfig(text, 'vigie.yaml', env);
  } catch (e) {
    if (e instanceof InputError) return e.message.split('\n');
    throw e;
  }
  return [];
}

describe('alerts and maintenance configuration', () => {
  it('reads channels with secrets from the environment, subscriptions with defaults, windows', () => {
    const c = parseServeConfig(GOOD, 'vigie.yaml', ENV);
    expect(c.alerts.updateIntervalMs).toBe(600_000);
    expect(c.alerts.channels).toEqual([
      {
        name: 'ops-hook',
        kind: 'webhook',
        settings: { url: 'https://hooks.example.org/vigie', secret: ENV.HOOK_SECRET },
      },
      { name: 'team', kind: 'slack', settings: { url: ENV.SLACK_URL } },
      {
        name: 'oncall',
        kind: 'email',
        settings: {
          host: 'smtp.example.org',
          port: 587,
          user: 'vigie',
          password: 'pw-!',
          from: 'vigie@example.org',
          to: ['ops@example.org'],
        },
      },
      { name: 'phone', kind: 'ntfy', settings: { topic: 'vigie-ops' } },
    ]);
    expect(c.alerts.subscriptions[0]).toEqual({
      name: 'ops-hook#1',
      channel: 'ops-hook',
      providers: ['ovh'],
      sites: [],
      tags: [],
      minSites: 10,
      kinds: ['opened', 'cause', 'peak', 'restoration', 'reopened', 'resolved'],
    });
    expect(c.alerts.subscriptions[1].kinds).toEqual(['opened', 'resolved', 'reported']);
    expect(c.maintenance).toEqual([
      expect.objectContaining({
        id: 'ovh-work',
        startsAt: Date.parse('2026-12-03T22:00:00Z'),
        endsAt: Date.parse('2026-12-04T00:00:00Z'),
        providers: ['ovh'],
        source: 'config',
      }),
    ]);
  });

  it('locates every problem as file:line: field: message, and never echoes a secret', () => {
    const bad = GOOD.replace('url: https://hooks.example.org/vigie', 'url: ftp://nope')
      .replace('topic: vigie-ops', 'topic: vigie-ops\n      colour: red')
      .replace('- channel: team', '- channel: nobody')
      .replace('duration: 2h', 'duration: soon');
    const out = problems(bad, { ...ENV, SMTP_PASSWORD: '' });
    expect(out).toEqual([
      expect.stringMatching(/^vigie\.yaml:7: alerts\.channels\.ops-hook\.url: must match pattern/),
      'vigie.yaml:17: alerts.channels.oncall.password_env: environment variable SMTP_PASSWORD is not set',
      'vigie.yaml:23: alerts.channels.phone.colour: unknown setting for a ntfy channel',
      'vigie.yaml:28: alerts.subscriptions[1].channel: no channel named nobody; channels: ops-hook, team, oncall, phone',
      'vigie.yaml:35: maintenance[0].duration: expected a duration such as 2h',
    ]);
    expect(out.join('\n')).not.toContain(ENV.HOOK_SECRET);
    expect(problems('alerts:\n  channels:\n    x:\n      kind: pigeon\n')).toEqual([
      expect.stringMatching(
        /^vigie\.yaml:4: alerts\.channels\.x\.kind: must be equal to one of the allowed values/,
      ),
    ]);
    // `${NOPE}` is the configuration's own syntax, not a template placeholder.
    const ref = ['$', '{NOPE}'].join('');
    expect(problems(`alerts:\n  channels:\n    x:\n      kind: webhook\n      url: ${ref}\n`)).toEqual([
      'vigie.yaml:5: alerts.channels.x.url: environment variable NOPE is not set',
    ]);
  });

  it('loads the blocks alone from a file (vigie sim run --config, vigie demo --config)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-alerts-config-'));
    const file = join(dir, 'alerts.yaml');
    writeFileSync(file, `store: sqlite:x.db\n${GOOD}`);
    const { alerts, maintenance } = loadAlertsFile(file, ENV);
    expect(alerts.channels.map((c) => c.name)).toEqual(['ops-hook', 'team', 'oncall', 'phone']);
    expect(maintenance).toHaveLength(1);
    writeFileSync(file, 'alerts:\n  subscriptions:\n    - channel: x\n      colour: red\n');
    expect(() => loadAlertsFile(file, ENV)).toThrow(
      `${file}:4: alerts.subscriptions[0].colour: unknown field`,
    );
    expect(() => loadAlertsFile(join(dir, 'missing.yaml'))).toThrow(
      /missing\.yaml:1: file: cannot read: ENOENT/,
    );
  });
});
