import { describe, expect, it } from 'vitest';
import { InputError, VigieError } from '../errors.ts';
import { AsnTable, BAD_ADDRESS, defaultAsnPaths } from './table.ts';

/** Ranges chosen for their edges: adjacent pairs, gaps between them, and the ends of the address space. */
const SMALL = [
  '0.0.0.0,0.0.0.255,64496,Zero Net',
  '10.0.0.0,10.0.0.255,64500,"Alpha, Inc."',
  '10.0.1.0,10.0.1.127,64501,Beta', // adjacent to Alpha
  '10.0.1.128,10.0.1.255,64502,"LLC ""Gamma"""', // adjacent to Beta
  '10.0.3.0,10.0.3.0,64503,Single', // after a gap of 10.0.2.0/24; one address
  '255.255.255.0,255.255.255.255,64504,Top',
  '2001:db8::,2001:db8::ffff,64510,"Alpha, Inc."',
  '2001:db8::1:0,2001:db8:0:0:ffff:ffff:ffff:ffff,64511,Six Beta',
  'ffff:ffff:ffff:ffff::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,64512,Six Top',
  '',
].join('\n');

function asnOf(table: AsnTable, address: string): number | null {
  return table.lookup(address)?.asn ?? null;
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).problems.map((p) => `${p.file}:${p.line}: ${p.field}`);
  }
  throw new Error('expected an InputError');
}

describe('AsnTable on a small table', () => {
  const table = AsnTable.fromCsv(SMALL, 'small.csv');

  it('counts ranges and deduplicates organisations', () => {
    expect(table.rangesV4).toBe(6);
    expect(table.rangesV6).toBe(3);
    expect(table.orgCount).toBe(8); // "Alpha, Inc." appears in both families
  });

  it('includes the first and last address of each range', () => {
    expect(asnOf(table, '0.0.0.0')).toBe(64496);
    expect(asnOf(table, '0.0.0.255')).toBe(64496);
    expect(asnOf(table, '10.0.0.0')).toBe(64500);
    expect(asnOf(table, '10.0.0.255')).toBe(64500);
    expect(asnOf(table, '10.0.1.0')).toBe(64501);
    expect(asnOf(table, '10.0.1.127')).toBe(64501);
    expect(asnOf(table, '10.0.1.128')).toBe(64502);
    expect(asnOf(table, '10.0.1.255')).toBe(64502);
    expect(asnOf(table, '10.0.3.0')).toBe(64503);
    expect(asnOf(table, '255.255.255.255')).toBe(64504);
    expect(asnOf(table, '2001:db8::')).toBe(64510);
    expect(asnOf(table, '2001:db8::ffff')).toBe(64510);
    expect(asnOf(table, '2001:db8::1:0')).toBe(64511);
    expect(asnOf(table, '2001:db8::ffff:ffff:ffff:ffff')).toBe(64511);
    expect(asnOf(table, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(64512);
  });

  it('finds nothing in gaps and outside all ranges', () => {
    expect(asnOf(table, '0.0.1.0')).toBeNull();
    expect(asnOf(table, '9.255.255.255')).toBeNull();
    expect(asnOf(table, '10.0.2.0')).toBeNull();
    expect(asnOf(table, '10.0.2.255')).toBeNull();
    expect(asnOf(table, '10.0.3.1')).toBeNull();
    expect(asnOf(table, '255.255.254.255')).toBeNull();
    expect(asnOf(table, '::')).toBeNull();
    expect(asnOf(table, '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff')).toBeNull();
    expect(asnOf(table, '2001:db8:0:1::')).toBeNull();
  });

  it('unquotes organisations', () => {
    expect(table.lookup('10.0.0.1')).toEqual({ asn: 64500, org: 'Alpha, Inc.' });
    expect(table.lookup('10.0.1.200')?.org).toBe('LLC "Gamma"');
  });

  it('answers IPv4-mapped IPv6 from the IPv4 ranges', () => {
    expect(asnOf(table, '::ffff:10.0.0.7')).toBe(64500);
    expect(asnOf(table, '::ffff:a00:107')).toBe(64501);
    expect(asnOf(table, '::ffff:10.0.2.1')).toBeNull();
  });

  it('gives the matching range and prefix in detail', () => {
    expect(table.lookupDetail('10.0.1.130')).toEqual({
      asn: 64502,
      org: 'LLC "Gamma"',
      family: 4,
      prefix: '10.0.1.128/25',
      start: '10.0.1.128',
      end: '10.0.1.255',
    });
    expect(table.lookupDetail('2001:db8::42')).toMatchObject({
      asn: 64510,
      family: 6,
      prefix: '2001:db8::/112',
      start: '2001:db8::',
      end: '2001:db8::ffff',
    });
    expect(table.lookupDetail('10.0.2.1')).toBeNull();
  });

  it('throws a coded error for text that is not an address', () => {
    for (const bad of ['', 'example.com', '1.2.3', '10.0.0.256', '2001:db8::g']) {
      expect(() => table.lookup(bad)).toThrow(VigieError);
      try {
        table.lookup(bad);
      } catch (err) {
        expect((err as VigieError).code).toBe(BAD_ADDRESS);
      }
    }
  });
});

describe('AsnTable input handling', () => {
  it('accepts CRLF, blank lines, no final newline, a header and quoted fields', () => {
    const t = AsnTable.fromCsv(
      'start,end,asn,organisation\r\n"192.0.2.0","192.0.2.255","64500",Doc\r\n\r\n198.51.100.0,198.51.100.255,64501,Net',
    );
    expect(t.lookup('192.0.2.9')).toEqual({ asn: 64500, org: 'Doc' });
    expect(t.lookup('198.51.100.255')).toEqual({ asn: 64501, org: 'Net' });
    expect(AsnTable.fromCsv('').rangesV4).toBe(0);
  });

  it('sorts unsorted rows and lets the more specific of overlapping ranges win', () => {
    const t = AsnTable.fromCsv(
      [
        '10.1.0.0,10.1.255.255,2,Inner /16',
        '10.0.0.0,10.255.255.255,1,Outer /8',
        '10.1.2.0,10.1.2.255,3,Inner /24',
        '10.2.0.0,10.2.0.255,4,First',
        '10.2.0.0,10.2.0.255,5,Second', // identical range: the later row wins
        '10.3.0.0,10.4.255.255,6,Left',
        '10.4.0.0,10.5.255.255,7,Right', // partial overlap: the later start takes over
        '2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,60,Six Outer',
        '2001:db8:1::,2001:db8:1:ffff:ffff:ffff:ffff:ffff,61,Six Inner',
      ].join('\n'),
    );
    const expected: [string, number][] = [
      ['10.0.0.0', 1],
      ['10.1.0.0', 2],
      ['10.1.1.255', 2],
      ['10.1.2.0', 3],
      ['10.1.2.255', 3],
      ['10.1.3.0', 2],
      ['10.1.255.255', 2],
      ['10.2.0.0', 5],
      ['10.2.0.255', 5],
      ['10.2.1.0', 1],
      ['10.3.255.255', 6],
      ['10.4.0.0', 7],
      ['10.5.255.255', 7],
      ['10.6.0.0', 1],
      ['10.255.255.255', 1],
      ['2001:db8::', 60],
      ['2001:db8:1::1', 61],
      ['2001:db8:2::', 60],
      ['2001:db8:ffff::', 60],
    ];
    for (const [address, asn] of expected) expect([address, asnOf(t, address)]).toEqual([address, asn]);
    expect(asnOf(t, '11.0.0.0')).toBeNull();
    expect(t.lookupDetail('10.1.3.0')?.start).toBe('10.1.3.0');
  });

  it('stores ranges written in IPv4-mapped IPv6 as IPv4', () => {
    const t = AsnTable.fromCsv('::ffff:192.0.2.0,::ffff:192.0.2.255,64500,Mapped\n');
    expect(t.rangesV4).toBe(1);
    expect(asnOf(t, '192.0.2.1')).toBe(64500);
  });

  it('reports malformed rows with file, line and field', () => {
    const csv = [
      '192.0.2.0,192.0.2.255,64500,Good',
      '192.0.2.300,192.0.3.0,1,Bad start',
      '192.0.4.0,192.0.4.255,AS1,Bad asn',
      '192.0.5.0,192.0.5.255,1',
      '192.0.6.255,192.0.6.0,1,Backwards',
      '192.0.7.0,2001:db8::,1,Mixed',
      '192.0.8.0,192.0.8.255,1,"Unterminated',
      '192.0.9.0,192.0.9.255,1,Too,Many',
      '192.0.10.0,192.0.10.255,99999999999,Big asn',
      '192.0.11.0,192.0.11.255,1,"Stray " quote"',
      '192.0.12.0,nope,1,Bad end',
      '',
    ].join('\n');
    expect(problems(() => AsnTable.fromCsv(csv, 'bad.csv'))).toEqual([
      'bad.csv:2: start',
      'bad.csv:3: asn',
      'bad.csv:4: row',
      'bad.csv:5: end',
      'bad.csv:6: end',
      'bad.csv:7: organisation',
      'bad.csv:8: organisation',
      'bad.csv:9: asn',
      'bad.csv:10: organisation',
      'bad.csv:11: end',
    ]);
  });

  it('formats problems as file:line: field: message', () => {
    expect(() => AsnTable.fromCsv('1.2.3.4,1.2.3.x,1,X\n', 'w.csv')).toThrow(
      /^w\.csv:1: end: not an IP address: "1\.2\.3\.x"$/,
    );
  });

  it('builds from rows, validating them', () => {
    const t = AsnTable.fromRows([
      { start: '192.0.2.0', end: '192.0.2.255', asn: 64500, org: 'Rows, Inc.' },
      { start: '2001:db8::', end: '2001:db8::ff', asn: 64501, org: 'Six' },
    ]);
    expect(t.lookup('192.0.2.3')).toEqual({ asn: 64500, org: 'Rows, Inc.' });
    expect(asnOf(t, '2001:db8::ff')).toBe(64501);
    expect(
      problems(() =>
        AsnTable.fromRows([
          { start: '192.0.2.0', end: '192.0.2.255', asn: 1.5, org: 'X' },
          { start: '192.0.2.0', end: 'x', asn: 1, org: 'X' },
        ]),
      ),
    ).toEqual(['<rows>:1: asn', '<rows>:2: end']);
  });

  it('reports an unreadable file as a usage error', () => {
    expect(() => AsnTable.load('/nonexistent/asn.csv')).toThrow(/cannot read ASN database/);
  });
});

describe('AsnTable on the real @ip-location-db/asn data', () => {
  const table = AsnTable.load(defaultAsnPaths());

  it('loads both families', () => {
    expect(table.rangesV4).toBeGreaterThan(100_000);
    expect(table.rangesV6).toBeGreaterThan(10_000);
  });

  // Addresses inside large, long-held allocations, so a data refresh should not move them.
  it.each([
    ['1.1.1.1', 13335, /Cloudflare/],
    ['2606:4700:4700::1111', 13335, /Cloudflare/],
    ['::ffff:1.1.1.1', 13335, /Cloudflare/],
    ['51.38.0.1', 16276, /OVH/],
    ['137.74.0.1', 16276, /OVH/],
    ['52.95.110.1', 16509, /Amazon/],
    ['8.8.8.8', 15169, /Google/],
  ])('%s → AS%i', (address, asn, org) => {
    const hit = table.lookup(address);
    expect(hit?.asn).toBe(asn);
    expect(hit?.org).toMatch(org);
  });

  it('knows nothing of private addresses', () => {
    expect(table.lookup('10.0.0.1')).toBeNull();
    expect(table.lookup('192.168.1.1')).toBeNull();
    expect(table.lookup('fd00::1')).toBeNull();
  });
});
