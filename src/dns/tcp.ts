/**
 * One DNS query over TCP (RFC 7766 framing: a two-byte length before each message), used when a UDP
 * response comes back truncated. A fresh connection per query: truncation is rare, pooling is not
 * worth its bookkeeping.
 */
import net from 'node:net';
import dnsPacket, { type DecodedPacket } from 'dns-packet';
import type { DnsServer } from './types.ts';

/** A decoded TCP response, or why there is none. */
export type TcpOutcome =
  | { kind: 'packet'; packet: DecodedPacket }
  | { kind: 'timeout' }
  | { kind: 'error'; code: string };

/** Largest response accepted: a DNS message cannot exceed 65,535 bytes anyway. */
const MAX_MESSAGE = 65_535;

/** Send the already-encoded `query` over TCP and wait for the response with the same id. */
export function tcpQuery(
  server: DnsServer,
  query: Buffer,
  id: number,
  timeoutMs: number,
  localAddress?: string,
): Promise<TcpOutcome> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let done = false;
    const sock = net.connect({ host: server.address, port: server.port, localAddress });
    const finish = (r: TcpOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) => finish({ kind: 'error', code: e.code ?? 'ETCP' }));
    sock.on('end', () => finish({ kind: 'error', code: 'ECLOSED' }));
    sock.on('connect', () => {
      const head = Buffer.alloc(2);
      head.writeUInt16BE(query.length);
      sock.write(Buffer.concat([head, query]));
    });
    sock.on('data', (chunk) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (len > MAX_MESSAGE) return finish({ kind: 'error', code: 'EBADLEN' });
        if (buf.length < 2 + len) return;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        let packet: DecodedPacket;
        try {
          packet = dnsPacket.decode(msg);
        } catch {
          return finish({ kind: 'error', code: 'EBADPACKET' });
        }
        if (packet.id === id) return finish({ kind: 'packet', packet });
      }
    });
  });
}
