/**
 * A true blackhole without root: connection attempts to a blackholed address must time out, not
 * be refused. Linux drops a SYN when the listening socket's accept queue is full, so the tarpit
 * listens on the address with a backlog of 1, fills the queue with two connections of its own, and
 * never accepts. Node accepts eagerly on its event loop, so the listening sockets live in a worker
 * thread whose loop is kept blocked (Atomics.wait); it wakes only to run a command written into
 * shared memory, synchronously, and blocks again before its loop can accept anything.
 */
import net from 'node:net';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
// net.Server.listen resolves its host on a later tick, which a blocked loop never reaches, so the
// worker drives the TCP handle directly: bind and listen are synchronous there.
const { TCP, constants } = process.binding('tcp_wrap');
const ctl = new Int32Array(workerData.ctl);
const buf = new Uint8Array(workerData.buf);
const servers = new Map();
for (;;) {
  Atomics.wait(ctl, 0, 0);
  const len = ctl[1];
  const cmd = JSON.parse(Buffer.from(buf.subarray(0, len)).toString());
  let ok = 1;
  try {
    const key = cmd.host + ':' + cmd.port;
    if (cmd.op === 'open' && !servers.has(key)) {
      const h = new TCP(constants.SERVER);
      h.onconnection = () => {};
      const err = h.bind(cmd.host, cmd.port) || h.listen(1);
      if (err) { h.close(); ok = 2; } else servers.set(key, h);
    } else if (cmd.op === 'close') {
      const s = servers.get(key);
      if (s) { s.close(); servers.delete(key); }
    } else if (cmd.op === 'exit') {
      for (const s of servers.values()) s.close();
      Atomics.store(ctl, 2, 1); Atomics.store(ctl, 0, 0); Atomics.notify(ctl, 0);
      process.exit(0);
    }
  } catch (e) { ok = 2; }
  Atomics.store(ctl, 2, ok);
  Atomics.store(ctl, 0, 0);
  Atomics.notify(ctl, 0);
}
`;

export class Tarpit {
  private ctl = new SharedArrayBuffer(12);
  private buf = new SharedArrayBuffer(256);
  private ctlView = new Int32Array(this.ctl);
  private worker: Worker;
  private fillers = new Map<string, net.Socket[]>();

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ctl: this.ctl, buf: this.buf } });
    this.worker.unref();
  }

  /** Run one command in the worker and wait (synchronously, briefly) for it to finish. */
  private command(cmd: object): boolean {
    const bytes = Buffer.from(JSON.stringify(cmd));
    new Uint8Array(this.buf).set(bytes);
    Atomics.store(this.ctlView, 1, bytes.length);
    Atomics.store(this.ctlView, 2, 0);
    Atomics.store(this.ctlView, 0, 1);
    Atomics.notify(this.ctlView, 0);
    // The worker answers in microseconds once started; allow for its start-up on first use.
    const r = Atomics.wait(this.ctlView, 0, 1, 5000);
    return r !== 'timed-out' && Atomics.load(this.ctlView, 2) === 1;
  }

  /** Blackhole host:port (the caller must have closed its own listener there first). */
  open(host: string, port: number): boolean {
    if (!this.command({ op: 'open', host, port })) return false;
    // Two connections fill a backlog-1 queue; from then on the kernel drops every SYN.
    const socks = [0, 1].map(() => {
      const s = net.connect({ host, port });
      s.on('error', () => {});
      return s;
    });
    this.fillers.set(`${host}:${port}`, socks);
    return true;
  }

  close(host: string, port: number): void {
    this.command({ op: 'close', host, port });
    const key = `${host}:${port}`;
    for (const s of this.fillers.get(key) ?? []) s.destroy();
    this.fillers.delete(key);
  }

  async stop(): Promise<void> {
    this.command({ op: 'exit' });
    for (const socks of this.fillers.values()) for (const s of socks) s.destroy();
    this.fillers.clear();
    await this.worker.terminate();
  }
}
