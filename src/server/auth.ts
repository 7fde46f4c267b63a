/**
 * The API token. Only a salted scrypt hash is kept in the configuration
 * (`scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`, printed by `vigie serve --hash-token`); requests carry
 * `Authorization: Bearer <token>`, compared in constant time. scrypt is slow on purpose, so the
 * SHA-256 of a token once verified is remembered and later requests cost one hash.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

const PARAMS = { N: 16_384, r: 8, p: 1 };
const KEYLEN = 32;
const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** Hash a token for the configuration. */
export function hashToken(token: string, salt: Buffer = randomBytes(16)): string {
  const hash = scryptSync(token, salt, KEYLEN, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** True when `hash` is in the format {@link hashToken} writes. */
export function isTokenHash(hash: string): boolean {
  const m = FORMAT.exec(hash);
  return !!m && Number(m[1]) >= 1024 && (Number(m[1]) & (Number(m[1]) - 1)) === 0;
}

/** A verifier for one configured hash (null: no token configured, every write refused). */
export class TokenVerifier {
  private readonly parsed: { N: number; r: number; p: number; salt: Buffer; hash: Buffer } | null;
  private verified: Buffer | null = null;

  constructor(hash: string | null) {
    const m = hash ? FORMAT.exec(hash) : null;
    if (hash && !m) throw new Error('invalid token hash');
    this.parsed = m
      ? {
          N: Number(m[1]),
          r: Number(m[2]),
          p: Number(m[3]),
          salt: Buffer.from(m[4], 'base64'),
          hash: Buffer.from(m[5], 'base64'),
        }
      : null;
  }

  verify(token: string): boolean {
    const x = this.parsed;
    if (!x || token === '') return false;
    const quick = createHash('sha256').update(token).digest();
    if (this.verified) return timingSafeEqual(quick, this.verified);
    const h = scryptSync(token, x.salt, x.hash.length, { N: x.N, r: x.r, p: x.p, maxmem: 256 * x.N * x.r });
    const ok = h.length === x.hash.length && timingSafeEqual(h, x.hash);
    if (ok) this.verified = quick;
    return ok;
  }

  /** A Fastify `preHandler` refusing requests without the right bearer token (401, VIGIE_UNAUTHORIZED). */
  guard(): (req: FastifyRequest) => Promise<void> {
    return async (req) => {
      const header = req.headers.authorization ?? '';
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) throw new ApiError('VIGIE_UNAUTHORIZED', 'this operation needs Authorization: Bearer <token>');
      if (!this.verify(m[1])) throw new ApiError('VIGIE_UNAUTHORIZED', 'invalid token');
    };
  }
}
