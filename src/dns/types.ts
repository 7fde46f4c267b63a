/**
 * What a DNS exchange yields, as data: an answer (any rcode), a timeout, or a local error. The
 * client never throws, so a caller mapping thousands of names handles every outcome as a value.
 */
import type { Answer, RecordType } from 'dns-packet';

/** A decoded response. `truncated` stays true only when the TCP retry could not replace it. */
export interface DnsAnswer {
  kind: 'answer';
  /** `NOERROR`, `NXDOMAIN`, `SERVFAIL`, `REFUSED`… as dns-packet spells them. */
  rcode: string;
  answers: Answer[];
  authorities: Answer[];
  truncated: boolean;
  authoritative: boolean;
  /** Transport of the response kept. */
  via: 'udp' | 'tcp';
  /** Milliseconds from first send to the response. */
  ms: number;
}

/** No response after every attempt. */
export interface DnsTimeout {
  kind: 'timeout';
  ms: number;
}

/** The query could not be made (bad name, socket error, undecodable response). */
export interface DnsError {
  kind: 'error';
  code: string;
  message: string;
}

export type DnsResult = DnsAnswer | DnsTimeout | DnsError;

/** Where queries go: a resolver (or an authoritative server) address and port. */
export interface DnsServer {
  address: string;
  port: number;
}

/** The query interface the mapper and probers depend on (so tests can inject a fake). */
export interface DnsQuerier {
  /** `signal`: the caller gave up — a query still waiting for a slot is never sent, a pending one ends. */
  query(name: string, type: RecordType, signal?: AbortSignal): Promise<DnsResult>;
}
