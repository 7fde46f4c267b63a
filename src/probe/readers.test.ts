import { describe, expect, it } from 'vitest';
import { HttpReader, SmtpDialogue, SmtpReader } from './readers.ts';

const wanted = new Set(['server', 'cf-ray']);
const b = (s: string) => Buffer.from(s, 'latin1');

describe('HttpReader', () => {
  it('reads status, selected headers and the body up to content-length, across chunks', () => {
    const r = new HttpReader(wanted, 1024);
    expect(r.feed(b('HTTP/1.1 522 Origin\r\nServer: cloudflare\r\nCF-RAY: abc\r\nX-Other: 1\r\n'))).toBe(
      false,
    );
    expect(r.feed(b('Content-Length: 10\r\n\r\n01234'))).toBe(false);
    expect(r.usable).toBe(true);
    expect(r.feed(b('56789'))).toBe(true);
    expect(r).toMatchObject({ status: 522, headers: { server: 'cloudflare', 'cf-ray': 'abc' } });
    expect(r.body()).toBe('0123456789');
  });
  it('stops at the cap, and skips interim 1xx responses', () => {
    const r = new HttpReader(wanted, 4);
    expect(r.feed(b('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\nabcdefgh'))).toBe(true);
    expect(r.status).toBe(200);
    expect(r.body()).toBe('abcd');
  });
  it('ends at the head for bodiless statuses, and flags garbage', () => {
    expect(new HttpReader(wanted, 8).feed(b('HTTP/1.1 204 No Content\r\n\r\n'))).toBe(true);
    const bad = new HttpReader(wanted, 8);
    expect(bad.feed(b('SSH-2.0-OpenSSH\r\n\r\n'))).toBe(true);
    expect(bad).toMatchObject({ malformed: true, usable: false });
  });
});

describe('SmtpReader', () => {
  it('reads a multi-line banner to its last line', () => {
    const r = new SmtpReader();
    expect(r.feed(b('220-mx.test ESMTP\r\n220-'))).toBe(false);
    expect(r.feed(b('more\r\n220 ready\r\n'))).toBe(true);
    expect(r).toMatchObject({ code: 220, line: '220-mx.test ESMTP', usable: true });
  });
});

describe('SmtpDialogue', () => {
  const feed = (d: SmtpDialogue, s: string) => d.feed(Buffer.from(s, 'latin1'));

  it('walks banner → EHLO → MAIL → RCPT, one line at a time, and stops at the recipient', () => {
    const d = new SmtpDialogue('example.test');
    expect(feed(d, '220-mx.example ESMTP\r\n')).toBe(false);
    expect(d.take()).toBeUndefined();
    expect(feed(d, '220 ready\r\n')).toBe(false);
    expect(d.take()?.toString()).toBe('EHLO vigie.invalid\r\n');
    expect(feed(d, '250-mx.example\r\n250 8BITMIME\r\n')).toBe(false);
    expect(d.take()?.toString()).toBe('MAIL FROM:<>\r\n');
    expect(feed(d, '250 2.0.0 OK\r\n')).toBe(false);
    expect(d.take()?.toString()).toBe('RCPT TO:<postmaster@example.test>\r\n');
    expect(d.usable).toBe(false);
    expect(feed(d, '451 4.3.0 Temporary local problem\r\n')).toBe(true);
    expect(d).toMatchObject({ banner: 220, step: 'rcpt', code: 451, complete: true, usable: true });
    expect(d.take()).toBeUndefined();
  });

  it('ends at a refused banner or a refused step before the recipient', () => {
    const a = new SmtpDialogue('example.test');
    expect(feed(a, '554 go away\r\n')).toBe(true);
    expect(a).toMatchObject({ banner: 554, step: 'banner', line: '554 go away' });
    const b = new SmtpDialogue('example.test');
    feed(b, '220 hi\r\n');
    b.take();
    expect(feed(b, '502 no EHLO\r\n')).toBe(true);
    expect(b).toMatchObject({ banner: 220, step: 'ehlo', code: 502 });
  });
});
