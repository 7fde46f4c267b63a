/**
 * The NATS permissions of one agent, for the server's configuration: it may publish its own
 * observations and heartbeats and read its own assignment (KV direct get of its own keys), and
 * subscribe to its own assignment notices, re-probe requests and reply inbox — nothing else. A
 * stolen agent credential can then neither speak for another vantage nor read its assignment.
 */
import { Names } from './subjects.ts';

export interface SubjectPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
}

export function agentPermissions(vantage: string, prefix = 'vigie'): SubjectPermissions {
  const n = new Names(prefix);
  const kv = `$JS.API.DIRECT.GET.KV_${n.bucket}.$KV.${n.bucket}`;
  return {
    publish: {
      allow: [`${prefix}.obs.${vantage}.>`, n.heartbeat(vantage), `${kv}.${vantage}`, `${kv}.${vantage}.>`],
    },
    subscribe: { allow: [`_INBOX_${vantage}.>`, n.assignNotice(vantage), n.reprobe(vantage)] },
  };
}
