/**
 * The API token. Requests carry `Authorization: Bearer <token>`; the configuration keeps only a hash.
 *
 * API tokens are long random secrets (`vigie serve --hash-token` wants 16 characters or more), not
 * passwords: a slow key-derivation function adds nothing against guessing them, and costs the
 * server a slow computation per wrong token. So the hash is a salted SHA-256
 * (`sha256$<salt b64>$<hash b64>`, what {@link hashToken} writes), checked in constant time in
 * microseconds.
 *
 * Hashes written by earlier versions (`scrypt$N$r$p$salt$hash`) are still accepted, verified off the
 * event loop (the asynchronous `crypto.scrypt` runs on libuv's thread pool) one at a time, with a
 * bounded queue (beyond it: 429) and a memory of the token once verified and of recent wrong ones.
 * `vigie serve --hash-token` prints the new form; replacing an old hash with it is advised.
 *
 * Whatever the format, an address that sent {@link AuthLimits.maxFailures} wrong tokens within
 * {@link AuthLimits.windowMs} gets 429 VIGIE_RATE_LIMITED (with `retry-after`) without any check
 * until the window ends.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

const SHA256 = /^sha256\$([A-Za-z0-9+/=]{4,})\$([A-Za-z0-9+/=]{44})$/;
const SCRYPT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** Hash a token for the configuration (a salted SHA-256; see the module comment for why not a KDF). */
export function hashToken(token: string, salt: Buffer = randomBytes(16)): string {
  return `sha256$${salt.toString('base64')}$${saltedSha256(salt, token).toString('base64')}`;
}

/** True when `hash` is in a format the verifier accepts (the current one or the older scrypt one). */
export function isTokenHash(hash: string): boolean {
  if (SHA256.test(hash)) return true;
  const m = SCRYPT.exec(hash);
  if (!m) return false;
  // N a power of two, at most 2^17 (128 MiB of scrypt memory at r = 8): a hash cannot exhaust memory.
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return N >= 1024 && N <= 2 ** 17 && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16;
}

/** True for a hash in the older scrypt format (still accepted; `vigie serve` may advise replacing it). */
export function isLegacyTokenHash(hash: string): boolean {
  return SCRYPT.test(hash);
}

/** Limits on failed authentications. */
export interface AuthLimits {
  /** Wrong tokens per client address per window before it gets 429 (default 10). */
  maxFailures: number;
  /** The window, real ms (default 60,000). */
  windowMs: number;
  /** Addresses remembered at most (default 10,000; the oldest are forgotten first). */
  maxAddresses: number;
  /** Older scrypt hashes: verifications waiting for the one running, beyond which 429 (default 16). */
  maxQueued: number;
  /** Real time (default `Date.now`). */
  now: () => number;
}

const DEFAULT_LIMITS: AuthLimits = {
  maxFailures: 10,
  windowMs: 60_000,
  maxAddresses: 10_000,
  maxQueued: 16,
  now: Date.now,
};

/** Wrong tokens of older-format hashes remembered, so that repeating one costs nothing. */
const REMEMBERED_FAILURES = 1024;

type Parsed =
  | { kind: 'sha256'; salt: Buffer; hash: Buffer }
  | { kind: 'scrypt'; N: number; r: number; p: number; salt: Buffer; hash: Buffer };

/** A verifier for one configured hash (null: no token configured, every write refused). */
export class TokenVerifier {
  private readonly parsed: Parsed | null;
  private readonly limits: AuthLimits;
  /** SHA-256 of the token once an scrypt verification succeeded. */
  private verified: Buffer | null = null;
  private readonly failedDigests = new Set<string>();
  private readonly failures = new Map<string, { count: number; until: number }>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(hash: string | null, limits: Partial<AuthLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.parsed = hash === null ? null : parse(hash);
  }

  /** Whether `token` is the configured one. Never blocks the event loop. */
  async verify(token: string): Promise<boolean> {
    const x = this.parsed;
    if (!x || token === '') return false;
    if (x.kind === 'sha256') return equal(saltedSha256(x.salt, token), x.hash);
    const digest = sha256(token);
    if (this.verified) return equal(digest, this.verified);
    const key = digest.toString('base64');
    if (this.failedDigests.has(key)) return false;
    const h = await this.slot(() => scryptAsync(token, x));
    const ok = equal(h, x.hash);
    if (ok) this.verified = digest;
    else remember(this.failedDigests, key, REMEMBERED_FAILURES);
    return ok;
  }

  /**
   * A Fastify `onRequest` hook refusing requests without the right bearer token (401
   * VIGIE_UNAUTHORIZED), before the body is read; 429 VIGIE_RATE_LIMITED for an address over its
   * budget of wrong tokens.
   */
  guard(): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
    return async (req, reply) => {
      const header = req.headers.authorization ?? '';
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) throw new ApiError('VIGIE_UNAUTHORIZED', 'this operation needs Authorization: Bearer <token>');
      const now = this.limits.now();
      const seen = this.failures.get(req.ip);
      if (seen && seen.until <= now) this.failures.delete(req.ip);
      else if (seen && seen.count >= this.limits.maxFailures && !this.quickAccept(m[1])) {
        reply.header('retry-after', String(Math.max(1, Math.ceil((seen.until - now) / 1000))));
        throw new ApiError('VIGIE_RATE_LIMITED', 'too many wrong tokens from this address; retry later');
      }
      if (await this.verify(m[1])) return;
      this.fail(req.ip, now);
      throw new ApiError('VIGIE_UNAUTHORIZED', 'invalid token');
    };
  }

  /** True when the token is known right without slow work (so a blocked address keeps its owner). */
  private quickAccept(token: string): boolean {
    const x = this.parsed;
    if (!x) return false;
    if (x.kind === 'sha256') return equal(saltedSha256(x.salt, token), x.hash);
    return this.verified !== null && equal(sha256(token), this.verified);
  }

  private fail(address: string, now: number): void {
    const entry = this.failures.get(address);
    if (entry) {
      entry.count++;
      return;
    }
    if (this.failures.size >= this.limits.maxAddresses) {
      // Forget the oldest address (Map keeps insertion order).
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(address, { count: 1, until: now + this.limits.windowMs });
  }

  /** Run `work` when no other scrypt runs; 429 when too many already wait. */
  private async slot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running > 0) {
      if (this.waiting.length >= this.limits.maxQueued)
        throw new ApiError('VIGIE_RATE_LIMITED', 'too many token checks in progress; retry later');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

function parse(hash: string): Parsed {
  const s = SHA256.exec(hash);
  if (s) return { kind: 'sha256', salt: Buffer.from(s[1], 'base64'), hash: Buffer.from(s[2], 'base64') };
  const m = SCRYPT.exec(hash);
  if (!m || !isTokenHash(hash)) throw new Error('invalid token hash');
  return {
    kind: 'scrypt',
    N: Number(m[1]),
    r: Number(m[2]),
    p: Number(m[3]),
    salt: Buffer.from(m[4], 'base64'),
    hash: Buffer.from(m[5], 'base64'),
  };
}

function sha256(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function saltedSha256(salt: Buffer, token: string): Buffer {
  return createHash('sha256').update(salt).update(token).digest();
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function scryptAsync(token: string, x: Extract<Parsed, { kind: 'scrypt' }>): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(token, x.salt, x.hash.length, { N: x.N, r: x.r, p: x.p, maxmem: 256 * x.N * x.r }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** Add `key` to a bounded set, forgetting the oldest entry when full. */
function remember(set: Set<string>, key: string, max: number): void {
  if (set.size >= max) {
    const oldest = set.values().next().value;
    if (oldest !== undefined) set.delete(oldest);
  }
  set.add(key);
}
