import { describe, expect, it } from 'vitest';
import {
  cidrToRange,
  compareIp,
  enclosingCidr,
  formatIPv4,
  formatIPv6,
  ipFamily,
  ipToBigInt,
  parseIPv4,
  parseIPv6,
} from './ip.ts';

function v6(text: string): number[] | null {
  const out = new Uint32Array(4);
  return parseIPv6(text, out) ? [...out] : null;
}

describe('parseIPv4', () => {
  it('parses dotted quads, including the extremes', () => {
    expect(parseIPv4('0.0.0.0')).toBe(0);
    expect(parseIPv4('1.1.1.1')).toBe(0x01010101);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIPv4('x1.2.3.4y', 1, 8)).toBe(0x01020304);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.0',
    '1..2.3',
    '1.2.3.',
    '01.2.3.4',
    '1.2.3.4 ',
    'a.b.c.d',
    '::1',
  ])('rejects %j', (text) => {
    expect(parseIPv4(text)).toBe(-1);
  });
});

describe('parseIPv6', () => {
  it('parses full, compressed and IPv4-tailed forms', () => {
    expect(v6('::')).toEqual([0, 0, 0, 0]);
    expect(v6('::1')).toEqual([0, 0, 0, 1]);
    expect(v6('1::')).toEqual([0x10000, 0, 0, 0]);
    expect(v6('2606:4700:4700::1111')).toEqual([0x26064700, 0x47000000, 0, 0x1111]);
    expect(v6('2001:db8:0:0:1:0:0:1')).toEqual([0x20010db8, 0, 0x10000, 1]);
    expect(v6('FFFF:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toEqual([
      0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
    ]);
    expect(v6('::ffff:1.2.3.4')).toEqual([0, 0, 0xffff, 0x01020304]);
    expect(v6('1:2:3:4:5:6:1.2.3.4')).toEqual([0x10002, 0x30004, 0x50006, 0x01020304]);
  });

  it.each([
    '',
    ':',
    ':::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '12345::',
    '1:',
    ':1',
    'g::',
    '::1.2.3',
    '1:2:3:4:5:6:7:1.2.3.4',
    'fe80::1%eth0',
    '1.2.3.4',
  ])('rejects %j', (text) => {
    expect(v6(text)).toBeNull();
  });
});

describe('formatting and ranges', () => {
  it('formats addresses canonically', () => {
    expect(formatIPv4(0xc0000201)).toBe('192.0.2.1');
    expect(formatIPv6(ipToBigInt('2001:0db8:0000:0000:0000:0000:0000:0001').value)).toBe('2001:db8::1');
    expect(formatIPv6(ipToBigInt('2001:db8:0:1:0:0:0:1').value)).toBe('2001:db8:0:1::1');
    expect(formatIPv6(0n)).toBe('::');
  });

  it('tells the family', () => {
    expect(ipFamily('1.1.1.1')).toBe(4);
    expect(ipFamily('::1')).toBe(6);
    expect(ipFamily('example.com')).toBe(0);
  });

  it('orders addresses', () => {
    expect(compareIp('9.0.0.0', '10.0.0.0')).toBeLessThan(0);
    expect(compareIp('255.255.255.255', '::')).toBeLessThan(0);
    expect(compareIp('2001:db8::', '2001:db8::')).toBe(0);
  });

  it('turns CIDR prefixes into ranges', () => {
    expect(cidrToRange('192.0.2.0/24')).toEqual({ family: 4, start: '192.0.2.0', end: '192.0.2.255' });
    expect(cidrToRange('192.0.2.77/32')).toEqual({ family: 4, start: '192.0.2.77', end: '192.0.2.77' });
    expect(cidrToRange('0.0.0.0/0')).toEqual({ family: 4, start: '0.0.0.0', end: '255.255.255.255' });
    expect(cidrToRange('2001:db8::/32')).toEqual({
      family: 6,
      start: '2001:db8::',
      end: '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff',
    });
    expect(() => cidrToRange('192.0.2.0/33')).toThrow(RangeError);
    expect(() => cidrToRange('192.0.2.0')).toThrow(RangeError);
  });

  it('finds the CIDR block of a range that holds an address', () => {
    const n = (a: string) => ipToBigInt(a).value;
    expect(enclosingCidr(4, n('10.0.0.9'), n('10.0.0.0'), n('10.0.0.255'))).toBe('10.0.0.0/24');
    // 10.0.0.0–10.0.2.255 is a /23 and a /24; each address gets its own piece.
    expect(enclosingCidr(4, n('10.0.1.9'), n('10.0.0.0'), n('10.0.2.255'))).toBe('10.0.0.0/23');
    expect(enclosingCidr(4, n('10.0.2.9'), n('10.0.0.0'), n('10.0.2.255'))).toBe('10.0.2.0/24');
  });
});
