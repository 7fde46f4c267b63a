/**
 * The lean client every socket prober shares: a fresh TCP connection (from the vantage's address),
 * an optional TLS handshake with the site as server name, an optional request, and a reader fed
 * the answer — on raw `net`/`tls` sockets, with one timer re-armed per phase and no agent, pool
 * or parser object beyond the reader. It never throws; a failure names its phase.
 *
 * Why not `http.get`: its request/response objects, header maps and stream plumbing cost about
 * three times the CPU of this exchange per fresh connection (see bench/probe-cost.ts), and a
 * probe needs only a status line, a few headers and the first KiB of a body.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Failure } from './classify.ts';
import type { Reader } from './readers.ts';
import type { ProbeTimeouts } from './types.ts';

export interface DialOptions {
  address: string;
  port: number;
  localAddress?: string;
  /** Handshake TLS with this server name (SNI) and trust. */
  tls?: { servername: string; secureContext: tls.SecureContext; wantCert: boolean };
  /** Written once connected (and after the handshake). */
  request?: Buffer;
  /** Reads the answer; without one the dial ends when connected (and handshaken). */
  reader?: Reader;
  /** Written once the answer is complete (SMTP `QUIT`), so that the server closes first. */
  farewell?: Buffer;
  timeouts: ProbeTimeouts;
}

/** The certificate presented, when asked for or when it failed verification. */
export interface CertInfo {
  issuer?: string;
  /** notAfter, ms since the epoch. */
  expires?: number;
}

export interface DialResult {
  failure?: Failure;
  /** Real ms from the dial to the TCP connection. */
  connect?: number;
  /** Real ms of the TLS handshake. */
  tls?: number;
  /** Real ms from the request written (or the connection) to the first byte of the answer. */
  ttfb?: number;
  /** Real ms from the dial to the end. */
  total: number;
  cert?: CertInfo;
}

/** Dial `address:port`, handshake, write, read; resolves once, never rejects. */
export function dial(o: DialOptions, signal?: AbortSignal): Promise<DialResult> {
  // An address must be an IP: a name here would be resolved by the system, not the configured resolver.
  if (net.isIP(o.address) === 0) return Promise.resolve(refused('EBADADDRESS'));
  return new Promise((resolve) => {
    try {
      new Dial(o, resolve, signal);
    } catch (e) {
      // Arguments net.connect rejects outright (a port out of range): the probe could not be made.
      resolve(refused((e as NodeJS.ErrnoException).code ?? 'EINVAL'));
    }
  });
}

function refused(code: string): DialResult {
  return { failure: { phase: 'connect', code, timedOut: false }, total: 0 };
}

type Phase = 'connect' | 'tls' | 'response';

/** How long a complete exchange waits for the server's close before closing itself. */
const LINGER_MS = 2000;

/** Where a socket finds its dial: handlers are shared functions, not closures made per probe. */
const DIAL = Symbol('vigie.dial');
type Owned = net.Socket & { [DIAL]?: Dial };

function onConnect(this: Owned): void {
  this[DIAL]?.connected();
}
function onSecure(this: Owned): void {
  this[DIAL]?.secured();
}
function onData(this: Owned, chunk: Buffer): void {
  this[DIAL]?.data(chunk);
}
function onEnd(this: Owned): void {
  this[DIAL]?.ended();
}
function onError(this: Owned, e: NodeJS.ErrnoException): void {
  this[DIAL]?.errored(e);
}
function onTimer(d: Dial): void {
  d.expire('TIMEOUT');
}

/**
 * One dial's state: a probe allocates this object, its sockets and one timer — no closures (the
 * sockets point back here, the abort signal calls `handleEvent`).
 */
class Dial {
  private readonly t0 = performance.now();
  private tReq = 0;
  private phase: Phase = 'connect';
  private readonly raw: Owned;
  private sec: (tls.TLSSocket & Owned) | null = null;
  private timer: NodeJS.Timeout;
  private done = false;
  private hasEnded = false;
  private closed = false;
  private readonly r: DialResult = { total: 0 };

  constructor(
    private readonly o: DialOptions,
    private readonly resolve: (r: DialResult) => void,
    private readonly signal?: AbortSignal,
  ) {
    this.raw = net.connect({ host: o.address, port: o.port, localAddress: o.localAddress });
    this.timer = setTimeout(onTimer, o.timeouts.connect, this);
    this.raw[DIAL] = this;
    this.raw.on('error', onError);
    this.raw.once('connect', onConnect);
    if (signal) {
      if (signal.aborted) queueMicrotask(() => this.handleEvent());
      else signal.addEventListener('abort', this, { once: true });
    }
  }

  /** The caller's signal aborted: that counts as the current phase's timeout. */
  handleEvent(): void {
    this.expire('ABORTED');
  }

  connected(): void {
    if (this.done) return;
    this.r.connect = performance.now() - this.t0;
    this.rearm(this.o.tls ? this.o.timeouts.tls : this.o.timeouts.response);
    const t = this.o.tls;
    if (!t) return this.ready(this.raw);
    this.phase = 'tls';
    // Verification is judged here, not by tls.connect: an expired certificate must be told apart
    // from any other failure, and its issuer and expiry recorded.
    let sec: tls.TLSSocket & Owned;
    try {
      sec = tls.connect({
        socket: this.raw,
        servername: t.servername,
        secureContext: t.secureContext,
        rejectUnauthorized: false,
      });
    } catch (e) {
      return this.fail((e as NodeJS.ErrnoException).code ?? 'EINVAL', false);
    }
    sec[DIAL] = this;
    this.sec = sec;
    sec.on('error', onError);
    sec.once('secureConnect', onSecure);
  }

  secured(): void {
    const sec = this.sec!;
    if (this.done) return;
    this.r.tls = performance.now() - this.t0 - this.r.connect!;
    const error = sec.authorized ? null : String(sec.authorizationError ?? 'UNAUTHORIZED');
    if (error || this.o.tls!.wantCert) this.r.cert = certInfo(sec);
    if (error) return this.fail(error, false);
    this.rearm(this.o.timeouts.response);
    this.ready(sec);
  }

  private ready(sock: net.Socket): void {
    const reader = this.o.reader;
    if (!reader) return this.finish();
    this.phase = 'response';
    this.tReq = performance.now();
    sock.on('data', onData);
    sock.once('end', onEnd);
    if (this.o.request) sock.write(this.o.request);
  }

  data(chunk: Buffer): void {
    if (this.done) return;
    this.r.ttfb ??= performance.now() - this.tReq;
    const reader = this.o.reader!;
    if (reader.feed(chunk)) return this.finish();
    const next = reader.take?.();
    if (next) (this.sec ?? this.raw).write(next);
  }

  ended(): void {
    this.hasEnded = true;
    if (this.done) return this.close();
    if (this.o.reader!.usable) this.finish();
    else this.fail('EMPTY', false);
  }

  errored(e: NodeJS.ErrnoException): void {
    if (this.done) return this.close();
    // An answer already read stands, whatever happens to the connection afterwards.
    if (this.phase === 'response' && this.o.reader!.usable) return this.finish();
    this.fail(e.code ?? e.message, false);
  }

  expire(code: string): void {
    if (this.done) return this.close();
    if (this.phase === 'response' && this.o.reader!.usable) return this.finish();
    this.fail(code, true);
  }

  private rearm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(onTimer, ms, this);
  }

  private fail(code: string, timedOut: boolean): void {
    this.r.failure = { phase: this.phase, code, timedOut };
    this.finish();
  }

  private finish(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this);
    this.r.total = performance.now() - this.t0;
    this.resolve(this.r);
    // A complete answer: let the server close first (it was asked to), so the TIME_WAIT state
    // stays on its side — a vantage sending thousands of probes from one source address would
    // otherwise run out of ports. Anything else is torn down now.
    if (!this.r.failure && !this.hasEnded && this.o.reader?.complete) {
      const sock = this.sec ?? this.raw;
      if (this.o.farewell) sock.write(this.o.farewell);
      this.timer = setTimeout(onTimer, LINGER_MS, this);
      return;
    }
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.sec?.destroy();
    this.raw.destroy();
  }
}

function certInfo(sec: tls.TLSSocket): CertInfo {
  const c = sec.getPeerCertificate();
  if (!c?.issuer) return {};
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const expires = Date.parse(c.valid_to);
  return {
    issuer: first(c.issuer.O) ?? first(c.issuer.CN),
    expires: Number.isFinite(expires) ? expires : undefined,
  };
}
