/**
 * Every error the HTTP API answers, with its stable code and status. Clients (and tests) match on
 * `code`; messages may change. The body is always `{ code, message, details? }`.
 */
import { VigieError } from '../errors.ts';

export const API_ERRORS = {
  VIGIE_BAD_REQUEST: 400,
  VIGIE_MALFORMED_JSON: 400,
  VIGIE_INVALID_DOMAIN: 400,
  VIGIE_TARGET_REFUSED: 400,
  VIGIE_UNAUTHORIZED: 401,
  VIGIE_NOT_FOUND: 404,
  VIGIE_UNSUPPORTED_MEDIA_TYPE: 415,
  VIGIE_PAYLOAD_TOO_LARGE: 413,
  VIGIE_RATE_LIMITED: 429,
  VIGIE_TOO_MANY_STREAMS: 503,
  VIGIE_NOT_READY: 503,
  VIGIE_INTERNAL: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** An error the API answers as is: its code decides the status. */
export class ApiError extends VigieError {
  readonly statusCode: number;
  constructor(
    override readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(code, message);
    this.name = 'ApiError';
    this.statusCode = API_ERRORS[code];
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  code: ApiErrorCode;
  message: string;
  details?: unknown;
}

/** JSON Schema of {@link ErrorBody}, shared by every route's error responses. */
export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', enum: Object.keys(API_ERRORS) },
    message: { type: 'string' },
    details: {},
  },
} as const;

/** Fastify's own error codes, mapped to ours (anything else with a 4xx status is a bad request). */
const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'VIGIE_MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VIGIE_MALFORMED_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'VIGIE_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'VIGIE_PAYLOAD_TOO_LARGE',
  FST_ERR_VALIDATION: 'VIGIE_BAD_REQUEST',
};

/** Turn whatever a handler or Fastify threw into the status and body to answer. */
export function toErrorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof ApiError) {
    const body: ErrorBody = { code: err.code, message: err.message };
    if (err.details !== undefined) body.details = err.details;
    return { status: err.statusCode, body };
  }
  const e = err as { code?: string; statusCode?: number; message?: string; validation?: unknown };
  if (e?.validation) {
    return {
      status: 400,
      body: { code: 'VIGIE_BAD_REQUEST', message: e.message ?? 'invalid request', details: e.validation },
    };
  }
  const mapped = e?.code ? FASTIFY_CODES[e.code] : undefined;
  if (mapped) return { status: API_ERRORS[mapped], body: { code: mapped, message: e.message ?? mapped } };
  if (e?.statusCode === 429)
    return { status: 429, body: { code: 'VIGIE_RATE_LIMITED', message: 'too many requests' } };
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500)
    return { status: e.statusCode, body: { code: 'VIGIE_BAD_REQUEST', message: e.message ?? 'bad request' } };
  return { status: 500, body: { code: 'VIGIE_INTERNAL', message: 'internal error' } };
}
