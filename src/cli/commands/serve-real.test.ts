/**
 * `vigie serve` with no world: real-looking domains resolved through the configured resolver (a DNS
 * server on loopback), mapped with an operator's IP-to-AS file, probed on the real ports, and a fault
 * explained — one host's servers start refusing connections; that host is blamed, the other is
 * cleared. Web servers listen on port 80 of loopback addresses, as real sites do (this needs root,
 * which CI and this machine have).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { rr, startTestDns, type TestDnsServer } from '../../../test/support/dns-server.ts';
import type { Incident } from '../../model/incident.ts';

const BIN = fileURLToPath(new URL('../../../bin/vigie.js', import.meta.url));
// A /16 of loopback no other test uses; the third octet tells the host apart.
const NET = `127.${90 + Math.floor(Math.random() * 20)}`;
const HOST_A = Array.from({ length: 6 }, (_, k) => ({
  domain: `www.shop${k}.example`,
  address: `${NET}.1.${k + 1}`,
}));
const HOST_B = Array.from({ length: 4 }, (_, k) => ({
  domain: `www.news${k}.example`,
  address: `${NET}.2.${k + 1}`,
}));
const SITES = [...HOST_A, ...HOST_B];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('vigie serve on real-looking domains', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-serve-real-'));
  let dns: TestDnsServer | null = null;
  const servers = new Map<string, http.Server>();
  let child: ChildProcess | null = null;
  afterAll(async () => {
    child?.kill('SIGKILL');
    for (const s of servers.values()) s.close();
    await dns?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps them through the configured resolver and explains one host failing', {
    timeout: 120_000,
  }, async () => {
    dns = await startTestDns((q) => {
      const name = q.name.toLowerCase();
      const site = SITES.find((s) => s.domain === name || s.domain.slice(4) === name);
      if (!site) return { rcode: 3 };
      if (q.type === 'A') return { answers: [rr.a(name, site.address)] };
      if (q.type === 'NS') return { answers: [rr.ns(name, 'ns1.dnsco.example')] };
      return {};
    });
    for (const s of SITES) {
      const server = http.createServer((_, res) => res.end('<html><body>welcome</body></html>'));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(80, s.address, () => resolve());
      });
      servers.set(s.address, server);
    }
    writeFileSync(
      join(dir, 'asn.csv'),
      [`${NET}.1.0,${NET}.1.255,64990,HOSTA Networks`, `${NET}.2.0,${NET}.2.255,64991,HOSTB Networks`].join(
        '\n',
      ),
    );
    writeFileSync(
      join(dir, 'vigie.yaml'),
      [
        `resolver: ${dns.address}:${dns.port}`,
        'allow_private: true',
        'asn_db: asn.csv',
        `store: sqlite:${join(dir, 'vigie.db')}`,
        'listen: 127.0.0.1:0',
        'interval: 3s',
        'timeout: 1s',
        'rate_limit: false',
        'sites:',
        ...SITES.map((s) => `  - ${s.domain}`),
      ].join('\n'),
    );
    child = spawn(process.execPath, [BIN, 'serve', '--config', join(dir, 'vigie.yaml')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const log: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      child!.stderr!.setEncoding('utf8');
      child!.stderr!.on('data', (d: string) => {
        for (const l of d.split('\n')) {
          if (l) log.push(l);
          const m = /serving \d+ sites on (http:\/\/\S+)/.exec(l);
          if (m) resolve(m[1].replace(/\/?$/, '/'));
        }
      });
      child!.once('exit', (code) => reject(new Error(`serve exited ${code}: ${log.join('\n')}`)));
    });
    // Mapped: each site's hosting network comes from the operator's IP-to-AS file.
    let deps: { component: string; role: string }[] = [];
    for (let k = 0; k < 60 && !deps.some((d) => d.role === 'hosting'); k++) {
      await sleep(250);
      const r = await fetch(`${url}api/sites/${HOST_A[0].domain}`);
      if (r.ok) deps = ((await r.json()) as { dependencies: typeof deps }).dependencies;
    }
    expect(deps.find((d) => d.role === 'hosting')?.component, log.join('\n')).toMatch(/64990/);
    await sleep(6000); // two intervals of answers first
    // Host A's servers stop: connections refused.
    for (const s of HOST_A) servers.get(s.address)?.close();
    let found: Incident | undefined;
    let all: Incident[] = [];
    // Until the incident holds every site of the host (they are confirmed one by one).
    for (let k = 0; k < 160 && (found?.affected.length ?? 0) < HOST_A.length; k++) {
      await sleep(250);
      const r = await fetch(`${url}api/incidents?status=all`);
      all = r.ok ? ((await r.json()) as { incidents: Incident[] }).incidents : [];
      found = all.find((i) => i.cause.asn === 64990);
    }
    expect(found, `${JSON.stringify(all.map((i) => i.cause))}\n${log.slice(-15).join('\n')}`).toBeDefined();
    expect(found!.affected.sort()).toEqual(HOST_A.map((s) => s.domain).sort());
    expect(all.filter((i) => i.cause.asn === 64991)).toEqual([]);
  });
});
