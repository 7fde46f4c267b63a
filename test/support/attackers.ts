/**
 * Load for authentication tests and benches: `n` clients in a child process, each from its own
 * loopback address, sending wrong bearer tokens as fast as the server answers; and sequential
 * `/api/health` latencies measured meanwhile.
 */
import { spawn } from 'node:child_process';
import { type Agent, request } from 'node:http';
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';

/** Latencies (ms, sorted) of sequential `GET /api/health` for `durationMs`. */
export async function healthLatencies(port: number, agent: Agent, durationMs: number): Promise<number[]> {
  const ms: number[] = [];
  const deadline = performance.now() + durationMs;
  while (performance.now() < deadline) {
    const t = performance.now();
    const status = await get(port, '/api/health', agent);
    ms.push(performance.now() - t);
    if (status !== 200) throw new Error(`/api/health answered ${status}`);
  }
  return ms.sort((a, b) => a - b);
}

/** The `q` quantile of sorted values. */
export function p(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(sorted.length * q) - 1)];
}

function get(port: number, path: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * `n` clients in a child process, each from its own loopback address, each sending wrong tokens (a
 * new random one every time) as fast as the server answers, until told to stop.
 */
export function startAttackers(port: number, n: number, nice = 19) {
  const script = `
    const http = require('node:http');
    const { randomBytes } = require('node:crypto');
    const byStatus = {}; let total = 0; let stopping = false; let started = 0;
    const body = JSON.stringify({ sites: [{ domain: 'attack.example' }] });
    function run(i) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: '127.0.0.' + (10 + i) });
      let first = true;
      const once = () => {
        if (stopping) return;
        const req = http.request({ host: '127.0.0.1', port: ${port}, path: '/api/sites', method: 'POST', agent,
          headers: { authorization: 'Bearer wrong-' + randomBytes(16).toString('hex'), 'content-type': 'application/json' } },
          (res) => { res.resume(); res.on('end', () => {
            byStatus[res.statusCode] = (byStatus[res.statusCode] || 0) + 1; total++;
            if (first) { first = false; if (++started === ${n}) process.stdout.write('ready\\n'); }
            once();
          }); });
        req.on('error', () => setTimeout(once, 5));
        req.end(body);
      };
      once();
    }
    for (let i = 0; i < ${n}; i++) run(i);
    process.stdin.on('data', () => { stopping = true; process.stdout.write(JSON.stringify({ total, byStatus }) + '\\n'); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  // `nice` 19: the attackers yield the CPU, as clients on other machines would; 0: they compete
  // with the server for it (harsher than real).
  if (child.pid && nice) setPriority(child.pid, nice);
  let out = '';
  let onLine: ((line: string) => void) | null = null;
  child.stdout.on('data', (d) => {
    out += d;
    let k = out.indexOf('\n');
    while (k >= 0) {
      const line = out.slice(0, k);
      out = out.slice(k + 1);
      onLine?.(line);
      k = out.indexOf('\n');
    }
  });
  const next = () => new Promise<string>((resolve) => (onLine = resolve));
  const ready = next();
  let stopped: Promise<{ total: number; byStatus: Record<string, number> }> | null = null;
  return {
    ready,
    stop() {
      stopped ??=
        child.exitCode !== null
          ? Promise.resolve({ total: 0, byStatus: {} })
          : (async () => {
              const line = next();
              child.stdin.write('stop\n');
              return JSON.parse(await line);
            })();
      return stopped;
    },
  };
}
