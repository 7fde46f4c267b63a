/**
 * Connecting to NATS as a core or an agent: the server URL, and one way to authenticate — a creds
 * file (JWT + nkey, the operator mode), an nkey seed file, or a token (from the environment, never
 * a command-line argument that `ps` would show). An agent's replies come on `_INBOX_<vantage>.>`,
 * so the server's permissions can keep each agent to its own inbox too.
 */
import { readFileSync } from 'node:fs';
import {
  type Authenticator,
  credsAuthenticator,
  type NatsConnection,
  nkeyAuthenticator,
} from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { UsageError, VigieError } from '../errors.ts';

export interface NatsAuth {
  /** Path of a `.creds` file. */
  creds?: string;
  /** Path of a file holding an nkey seed (`SU…`). */
  nkeySeed?: string;
  /** A token (read from `VIGIE_NATS_TOKEN` by the commands). */
  token?: string;
}

export interface ConnectOptions extends NatsAuth {
  /** `nats://host:port` (user:password@ in the URL is accepted too). */
  url: string;
  /** Connection name shown by the server (e.g. `vigie-agent-paris`). */
  name: string;
  /** Inbox prefix for replies (default `_INBOX`). */
  inboxPrefix?: string;
}

function readSecret(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}

/** The authenticator for the given credentials (none given: undefined). */
export function authenticator(a: NatsAuth): Authenticator | undefined {
  const given = [a.creds, a.nkeySeed, a.token].filter((x) => x).length;
  if (given > 1) throw new UsageError('give one of --creds, --nkey or VIGIE_NATS_TOKEN, not several');
  if (a.creds) return credsAuthenticator(readSecret(a.creds, 'creds file'));
  if (a.nkeySeed) {
    const seed = new TextDecoder().decode(readSecret(a.nkeySeed, 'nkey seed file')).trim();
    return nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  return undefined;
}

/**
 * Connect, reconnecting for ever once connected (an agent outlives a restart of the server: what it
 * could not publish meanwhile is kept and sent later). A first connection that fails is an error.
 */
export async function connectNats(o: ConnectOptions): Promise<NatsConnection> {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw new UsageError(`--nats: not a URL: ${o.url} (expected nats://HOST:PORT)`);
  }
  if (url.protocol !== 'nats:' && url.protocol !== 'tls:') {
    throw new UsageError(`--nats: expected nats://HOST:PORT, got ${url.protocol}`);
  }
  const auth = authenticator(o);
  try {
    return await connect({
      servers: o.url,
      name: o.name,
      token: o.token || undefined,
      authenticator: auth,
      inboxPrefix: o.inboxPrefix,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
  } catch (e) {
    // The URL may carry a password: say where without it.
    const where = `${url.protocol}//${url.hostname}:${url.port || 4222}`;
    throw new VigieError('VIGIE_NATS', `cannot connect to NATS at ${where}: ${(e as Error).message ?? e}`);
  }
}
