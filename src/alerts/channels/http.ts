/** The HTTP POST every web channel makes: JSON body, a deadline from the caller, errors as throws. */

/** A delivery answered with a non-2xx status. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** POST `body` to `url`; resolves on 2xx, throws {@link DeliveryError} otherwise. */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Vigie', ...headers },
    body,
    signal,
    redirect: 'error',
  });
  // Read (and bound) the answer so the connection is reused; its content is not ours to keep.
  const text = (await res.text()).slice(0, 200);
  if (!res.ok)
    throw new DeliveryError(`HTTP ${res.status}${text ? `: ${text.replace(/\s+/g, ' ')}` : ''}`, res.status);
}

/** `url` without its path and query, for messages (a webhook path often holds a secret). */
export function redactUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
