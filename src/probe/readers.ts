/**
 * Incremental readers of what a server sends back: an HTTP/1.1 response (status line, the selected
 * headers, a body prefix up to a cap) and an SMTP reply (the banner). Each is fed the socket's chunks
 * and says when it has read enough; nothing is decoded that the probe does not use.
 */

/** Fed chunks by the dialer; `feed` returns true once nothing more needs reading. */
export interface Reader {
  feed(chunk: Buffer): boolean;
  /** Whether what was read so far is a usable answer (e.g. on the server closing). */
  readonly usable: boolean;
  /** The whole answer was read (not cut at a cap): the server may close now. */
  readonly complete: boolean;
  /**
   * A dialogue's next line to send, taken by the dial after a `feed` that did not finish (SMTP's
   * EHLO, MAIL, RCPT); undefined when the reader only reads.
   */
  take?(): Buffer | undefined;
}

/** A response head larger than this is not a web server we can classify. */
const MAX_HEAD = 32 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Reads one HTTP/1.1 response. */
export class HttpReader implements Reader {
  status = 0;
  /** Selected headers (lower-case names), as sent (last one wins). */
  readonly headers: Record<string, string> = {};
  /** Set when the head could not be parsed. */
  malformed = false;
  private head: Buffer | null = null;
  private headDone = false;
  complete = false;
  private contentLength = -1;
  private parts: Buffer[] = [];
  private bodyLength = 0;

  constructor(
    private readonly wanted: ReadonlySet<string>,
    private readonly cap: number,
  ) {}

  get usable(): boolean {
    return this.headDone && !this.malformed;
  }

  feed(chunk: Buffer): boolean {
    if (this.headDone) return this.addBody(chunk);
    const buf = this.head ? Buffer.concat([this.head, chunk]) : chunk;
    const end = buf.indexOf(CRLFCRLF);
    if (end < 0) {
      if (buf.length > MAX_HEAD) return this.fail();
      this.head = buf;
      return false;
    }
    this.head = null;
    if (!this.parseHead(buf.toString('latin1', 0, end))) return this.fail();
    // 1xx interim responses (100 Continue, 103 Early Hints) precede the real one.
    if (this.status < 200 && this.status !== 101) {
      this.status = 0;
      return end + 4 < buf.length ? this.feed(buf.subarray(end + 4)) : false;
    }
    this.headDone = true;
    if (this.status === 204 || this.status === 304 || this.contentLength === 0) {
      this.complete = true;
      return true;
    }
    return end + 4 < buf.length ? this.addBody(buf.subarray(end + 4)) : false;
  }

  /** The body prefix read (latin1: byte-exact, and markers are ASCII). */
  body(): string {
    if (this.parts.length === 0) return '';
    const b = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    return b.toString('latin1', 0, Math.min(b.length, this.cap));
  }

  private addBody(chunk: Buffer): boolean {
    if (this.bodyLength < this.cap) this.parts.push(chunk);
    this.bodyLength += chunk.length;
    return this.bodyLength >= this.cap || (this.contentLength >= 0 && this.bodyLength >= this.contentLength);
  }

  private fail(): boolean {
    this.malformed = true;
    return true;
  }

  private parseHead(head: string): boolean {
    // "HTTP/1.1 200 OK": the code sits at 9..11 for every HTTP/1.x status line.
    if (!head.startsWith('HTTP/1.') || head.charCodeAt(8) !== 32) return false;
    const status = Number(head.slice(9, 12));
    if (!Number.isInteger(status) || status < 100 || status > 999) return false;
    this.status = status;
    let i = head.indexOf('\r\n');
    while (i >= 0) {
      const next = head.indexOf('\r\n', i + 2);
      const line = next < 0 ? head.slice(i + 2) : head.slice(i + 2, next);
      const colon = line.indexOf(':');
      if (colon > 0) {
        const name = line.slice(0, colon).toLowerCase();
        if (name === 'content-length') this.contentLength = Number(line.slice(colon + 1).trim()) || 0;
        else if (name === 'transfer-encoding') this.contentLength = -1;
        if (this.wanted.has(name)) this.headers[name] = line.slice(colon + 1).trim();
      }
      i = next;
    }
    return true;
  }
}

/**
 * An SMTP dialogue up to the recipient: the banner, then `EHLO`, `MAIL FROM:<>` and
 * `RCPT TO:<postmaster@DOMAIN>` (every domain must accept its postmaster, RFC 5321 §4.5.1), each
 * sent once the previous reply is read. A mail host shared by many domains can fail for some of them
 * only — it greets everyone and then stops answering, or refuses, at the recipient of a domain it
 * no longer serves — so the banner alone does not tell a domain's mail is up. Nothing is sent
 * after the recipient: the dial's farewell (`QUIT`) ends the session; no message is ever sent.
 */
export class SmtpDialogue implements Reader {
  /** The banner's reply code (0 until read). */
  banner = 0;
  /** The banner's first line. */
  line = '';
  /** The reply code of the step the dialogue stopped at (0 while waiting for it). */
  code = 0;
  /** The step whose reply was read last: banner, ehlo, mail or rcpt. */
  step: 'banner' | 'ehlo' | 'mail' | 'rcpt' = 'banner';
  /** The last reply's first line. */
  reply = '';
  complete = false;
  private reader = new SmtpReader();
  private next: Buffer | undefined;

  constructor(
    private readonly domain: string,
    private readonly helo = 'vigie.invalid',
  ) {}

  /** The banner was read: the server is there, whatever the rest of the dialogue does. */
  get usable(): boolean {
    return this.complete;
  }

  take(): Buffer | undefined {
    const b = this.next;
    this.next = undefined;
    return b;
  }

  feed(chunk: Buffer): boolean {
    if (!this.reader.feed(chunk)) return false;
    const code = this.reader.code;
    const line = this.reader.line;
    this.reader = new SmtpReader();
    this.code = code;
    this.reply = line;
    if (this.step === 'banner') {
      this.banner = code;
      this.line = line;
    }
    const ok = this.step === 'banner' ? code === 220 : code >= 200 && code < 300;
    const after = { banner: 'ehlo', ehlo: 'mail', mail: 'rcpt', rcpt: null } as const;
    const step = after[this.step];
    // A refusal before the recipient (an EHLO or null sender refused by policy) leaves the banner as
    // the answer; the recipient's reply is the last one read.
    if (!ok || step === null) {
      this.complete = true;
      return true;
    }
    this.step = step;
    this.next = Buffer.from(
      step === 'ehlo'
        ? `EHLO ${this.helo}\r\n`
        : step === 'mail'
          ? 'MAIL FROM:<>\r\n'
          : `RCPT TO:<postmaster@${this.domain}>\r\n`,
      'latin1',
    );
    // The banner alone is an answer if the server then goes silent or closes: usable, not complete.
    return false;
  }
}

/** Reads an SMTP reply (multi-line `220-…` continuations up to the final `220 …`). */
export class SmtpReader implements Reader {
  code = 0;
  /** The reply's first line. */
  line = '';
  private text = '';
  complete = false;

  get usable(): boolean {
    return this.complete;
  }

  feed(chunk: Buffer): boolean {
    this.text += chunk.toString('latin1');
    for (let start = 0, nl = this.text.indexOf('\n'); nl >= 0; nl = this.text.indexOf('\n', start)) {
      const line = this.text.slice(start, nl).replace(/\r$/, '');
      start = nl + 1;
      if (!this.line) this.line = line;
      // The last line of a reply has a space (or nothing) after its code.
      if (line.length === 3 || line[3] === ' ') {
        this.code = Number(line.slice(0, 3)) || 0;
        this.complete = true;
        return true;
      }
    }
    return this.text.length > 4096;
  }
}
