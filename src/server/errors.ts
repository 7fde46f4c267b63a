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
  VIGIE_REQUEST_TIMEOUT: 408,
  VIGIE_UNSUPPORTED_MEDIA_TYPE: 415,
  VIGIE_PAYLOAD_TOO_LARGE: 413,
  VIGIE_URI_TOO_LONG: 414,
  VIGIE_RATE_LIMITED: 429,
  VIGIE_HEADERS_TOO_LARGE: 431,
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
  // Before routing (`frameworkErrors`): a path that does not decode, a parameter over maxParamLength.
  FST_ERR_BAD_URL: 'VIGIE_BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'VIGIE_URI_TOO_LONG',
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
  // Fastify's messages for these two quote the whole path: say what is wrong without echoing it.
  const message =
    e?.code === 'FST_ERR_BAD_URL'
      ? 'the path is not valid percent-encoding'
      : e?.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'a path parameter is too long'
        : (e?.message ?? mapped);
  if (mapped) return { status: API_ERRORS[mapped], body: { code: mapped, message: message ?? mapped } };
  if (e?.statusCode === 429)
    return { status: 429, body: { code: 'VIGIE_RATE_LIMITED', message: 'too many requests' } };
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500)
    return { status: e.statusCode, body: { code: 'VIGIE_BAD_REQUEST', message: e.message ?? 'bad request' } };
  return { status: 500, body: { code: 'VIGIE_INTERNAL', message: 'internal error' } };
}

/**
 * The raw HTTP answer to a request Node's parser refused before Fastify saw it (Fastify's
 * `clientErrorHandler`), in the same `{code, message}` form; null when nothing can be answered.
 */
export function clientErrorResponse(err: { code?: string }): string | null {
  if (err.code === 'ECONNRESET') return null;
  const [status, code, message]: [number, ApiErrorCode, string] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'VIGIE_REQUEST_TIMEOUT', 'the request took too long to arrive']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'VIGIE_HEADERS_TOO_LARGE', 'the request headers are too large']
        : [400, 'VIGIE_BAD_REQUEST', 'malformed HTTP request'];
  const body = JSON.stringify({ code, message } satisfies ErrorBody);
  const reason = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[
    status
  ];
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
