import { describe, expect, it } from 'vitest';
import { checkHost, classifyAddress, TargetPolicy } from './address-policy.ts';
import { parseLooseIPv4 } from './ip-forms.ts';

describe('parseLooseIPv4', () => {
  it.each([
    ['127.0.0.1', 0x7f000001],
    ['2130706433', 0x7f000001],
    ['0177.0.0.1', 0x7f000001],
    ['0x7f.0.0.1', 0x7f000001],
    ['0x7f000001', 0x7f000001],
    ['017700000001', 0x7f000001],
    ['127.1', 0x7f000001],
    ['127.0.1', 0x7f000001],
    ['10.1.2.3.', 0x0a010203],
    ['0', 0],
    ['0x', 0],
  ])('%s', (text, value) => expect(parseLooseIPv4(text)).toBe(value));

  it.each([
    '',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.256',
    '127.16777216',
    '08.1.1.1',
    '0xg.1.1.1',
    'a.b',
    '1..2',
  ])('rejects %s', (text) => expect(parseLooseIPv4(text)).toBeNull());
});

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public', '8.8.8.8'],
    ['127.0.0.1', 'loopback', '127.0.0.1'],
    ['2130706433', 'loopback', '127.0.0.1'],
    ['0177.0.0.1', 'loopback', '127.0.0.1'],
    ['0x7f.1', 'loopback', '127.0.0.1'],
    ['127.1', 'loopback', '127.0.0.1'],
    ['10.0.0.5', 'private', '10.0.0.5'],
    ['172.16.3.4', 'private', '172.16.3.4'],
    ['172.32.0.1', 'public', '172.32.0.1'],
    ['192.168.1.1', 'private', '192.168.1.1'],
    ['100.64.0.1', 'cgnat', '100.64.0.1'],
    ['169.254.169.254', 'metadata', '169.254.169.254'],
    ['2852039166', 'metadata', '169.254.169.254'],
    ['169.254.1.1', 'link-local', '169.254.1.1'],
    ['0.0.0.0', 'unspecified', '0.0.0.0'],
    ['224.0.0.1', 'multicast', '224.0.0.1'],
    ['255.255.255.255', 'broadcast', '255.255.255.255'],
    ['::1', 'loopback', '::1'],
    ['[::1]', 'loopback', '::1'],
    ['::', 'unspecified', '::'],
    ['fd12:3456::1', 'private', 'fd12:3456::1'],
    ['fc00::1', 'private', 'fc00::1'],
    ['fe80::1%eth0', 'link-local', 'fe80::1'],
    ['ff02::1', 'multicast', 'ff02::1'],
    ['fd00:ec2::254', 'metadata', 'fd00:ec2::254'],
    ['::ffff:127.0.0.1', 'loopback', '::ffff:7f00:1'],
    ['::ffff:7f00:1', 'loopback', '::ffff:7f00:1'],
    ['::FFFF:169.254.169.254', 'metadata', '::ffff:a9fe:a9fe'],
    ['::ffff:10.0.0.1', 'private', '::ffff:a00:1'],
    ['::ffff:8.8.8.8', 'public', '::ffff:808:808'],
    ['::127.0.0.1', 'loopback', '::7f00:1'],
    ['64:ff9b::10.0.0.1', 'private', '64:ff9b::a00:1'],
    ['2002:7f00:1::', 'loopback', '2002:7f00:1::'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback', '2001:0:4136:e378:8000:63bf:80ff:fffe'],
    ['2001:db8::1', 'reserved', '2001:db8::1'],
    ['2606:4700::1111', 'public', '2606:4700::1111'],
    ['example.com', 'invalid', 'example.com'],
  ])('%s is %s', (text, cls, canonical) => {
    const c = classifyAddress(text);
    expect(c.class).toBe(cls);
    expect(c.address).toBe(canonical);
  });

  it('explains an embedded address', () => {
    expect(classifyAddress('::ffff:127.0.0.1').reason).toMatch(/IPv4-mapped 127\.0\.0\.1: loopback/);
  });
});

describe('TargetPolicy', () => {
  it('refuses non-public addresses by default and says why', () => {
    const p = TargetPolicy.strict();
    expect(p.check('93.184.216.34')).toMatchObject({ ok: true });
    const v = p.check('0177.0.0.1');
    expect(v).toMatchObject({ ok: false, class: 'loopback', address: '127.0.0.1' });
  });

  it('allows private addresses when told to, never invalid ones', () => {
    const p = new TargetPolicy({ allowPrivate: true });
    expect(p.check('127.17.1.1').ok).toBe(true);
    expect(p.check('not-an-ip').ok).toBe(false);
  });

  it('allows chosen classes only', () => {
    const p = new TargetPolicy({ allowClasses: ['private'] });
    expect(p.check('10.1.1.1').ok).toBe(true);
    expect(p.check('127.0.0.1').ok).toBe(false);
  });

  it('filters resolved addresses', () => {
    const { allowed, refused } = TargetPolicy.strict().filter(['1.1.1.1', '10.0.0.1', '::ffff:192.168.0.1']);
    expect(allowed).toEqual(['1.1.1.1']);
    expect(refused.map((r) => r.class)).toEqual(['private', 'private']);
  });
});

describe('checkHost', () => {
  const p = TargetPolicy.strict();
  it.each([
    ['example.com', 'name'],
    ['Shop-1.Test.', 'name'],
    ['2130706433', 'address'],
    ['0x7f.1', 'address'],
    ['[::1]', 'address'],
    ['foo.123', 'invalid'],
    ['-bad.example', 'invalid'],
    ['a b.example', 'invalid'],
    ['1.2.3.4.5', 'invalid'],
  ])('%s is a %s', (host, kind) => expect(checkHost(host, p).kind).toBe(kind));

  it('refuses a decimal loopback written as a host', () => {
    const v = checkHost('2130706433', p);
    expect(v).toMatchObject({ kind: 'address', verdict: { ok: false, class: 'loopback' } });
  });
});
