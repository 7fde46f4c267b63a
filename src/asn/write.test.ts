import { describe, expect, it } from 'vitest';
import { AsnTable } from './table.ts';
import { formatAsnCsv } from './write.ts';

describe('formatAsnCsv', () => {
  const rows = [
    { start: '192.0.2.0', end: '192.0.2.255', asn: 64500, org: 'Plain Hosting' },
    { start: '198.51.100.0', end: '198.51.100.127', asn: 64501, org: 'Comma, Inc.' },
    { start: '198.51.100.128', end: '198.51.100.255', asn: 64502, org: 'LLC "Quoted"' },
    { start: '2001:db8::', end: '2001:db8::ffff', asn: 64503, org: 'Six\nLines' },
  ];

  it('writes the @ip-location-db layout, quoting only when needed', () => {
    expect(formatAsnCsv(rows)).toBe(
      [
        '192.0.2.0,192.0.2.255,64500,Plain Hosting',
        '198.51.100.0,198.51.100.127,64501,"Comma, Inc."',
        '198.51.100.128,198.51.100.255,64502,"LLC ""Quoted"""',
        '2001:db8::,2001:db8::ffff,64503,Six Lines',
        '',
      ].join('\n'),
    );
    expect(formatAsnCsv([])).toBe('');
  });

  it('is read back by AsnTable', () => {
    const table = AsnTable.fromCsv(formatAsnCsv(rows));
    expect(table.lookup('192.0.2.1')).toEqual({ asn: 64500, org: 'Plain Hosting' });
    expect(table.lookup('198.51.100.5')).toEqual({ asn: 64501, org: 'Comma, Inc.' });
    expect(table.lookup('198.51.100.200')).toEqual({ asn: 64502, org: 'LLC "Quoted"' });
    expect(table.lookup('2001:db8::1')).toEqual({ asn: 64503, org: 'Six Lines' });
  });
});
