/**
 * A simulated world's crowd reports, through the server's real intake: the world's `/reports/stream`
 * (NDJSON, one report per line as the simulated clock reaches it), each report POSTed to
 * `/api/v1/reports` over HTTP from a source address derived from its reporter, with the reporter in
 * the user agent. Distinct reporters thus arrive from distinct addresses on distinct /24 networks, as
 * a crowd would (from one address every report would share one network's budget, and nothing would
 * ever spike — by design). Linux routes all of 127.0.0.0/8 to loopback, so any of these addresses can
 * be bound without privileges.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';

/** A report as the world streams it (`src/lab/sim/faults/types.ts` CrowdReport). */
interface WorldReport {
  time: number;
  domain: string;
  problem: string;
  reporter: string;
}

export interface ReportFeedOptions {
  /** The world's control endpoint, e.g. `http://127.1.0.1:10900`. */
  control: string;
  /** Where the server listens (an IPv4 loopback address: the sources are 127.200.0.0/13). */
  intake: { host: string; port: number };
  /** Bind each report's source address (default true; false: every report from the default one). */
  spreadSources?: boolean;
  log?: (line: string) => void;
}

export interface ReportFeedStats {
  received: number;
  accepted: number;
  duplicate: number;
  /** Refused by the intake (unknown site, rate limited, invalid). */
  refused: number;
  /** Not delivered (connection error). */
  failed: number;
}

/** A reporter's source address: 127.200.0.1 – 127.249.255.254, spread over 12,800 /24 networks. */
export function reporterAddress(reporter: string): string {
  const h = createHash('sha256').update(reporter).digest();
  return `127.${200 + (h[0] % 50)}.${h[1]}.${1 + (h[2] % 254)}`;
}

export class ReportFeed {
  readonly stats: ReportFeedStats = { received: 0, accepted: 0, duplicate: 0, refused: 0, failed: 0 };
  private readonly abort = new AbortController();
  private readonly inflight = new Set<Promise<void>>();
  private reading: Promise<void> | null = null;

  constructor(private readonly o: ReportFeedOptions) {}

  /** Follow the stream until {@link stop}; a dropped stream is reopened after a second. */
  start(): void {
    this.reading ??= this.follow();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.reading?.catch(() => {});
    await Promise.all(this.inflight);
  }

  private async follow(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const res = await fetch(`${this.o.control}/reports/stream`, { signal });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        let buf = '';
        const decoder = new TextDecoder();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let nl = buf.indexOf('\n');
          while (nl >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) this.post(JSON.parse(line) as WorldReport);
            nl = buf.indexOf('\n');
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        this.o.log?.(`reports stream: ${e instanceof Error ? e.message : e}; reconnecting`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private post(r: WorldReport): void {
    this.stats.received++;
    const body = JSON.stringify({ domain: r.domain, problem: r.problem });
    const p = new Promise<void>((resolve) => {
      const req = http.request(
        {
          host: this.o.intake.host,
          port: this.o.intake.port,
          path: '/api/v1/reports',
          method: 'POST',
          agent: false,
          ...(this.o.spreadSources === false ? {} : { localAddress: reporterAddress(r.reporter) }),
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': `vigie-simulated-reporter/${r.reporter}`,
          },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
          if (res.statusCode === 202) this.stats.accepted++;
          else if (res.statusCode === 200) this.stats.duplicate++;
          else this.stats.refused++;
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
      req.on('error', () => {
        this.stats.failed++;
        resolve();
      });
      req.end(body);
    });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }
}
