import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRanges, RegionTable, sniffFormat } from './ranges.ts';

const AWS = JSON.stringify({
  prefixes: [
    { ip_prefix: '3.5.0.0/16', region: 'eu-west-3', service: 'AMAZON' },
    { ip_prefix: '3.5.140.0/22', region: 'ap-northeast-2', service: 'EC2' },
    { ip_prefix: '13.32.0.0/15', region: 'GLOBAL', service: 'CLOUDFRONT' },
  ],
  ipv6_prefixes: [{ ipv6_prefix: '2600:1f14::/35', region: 'eu-west-1', service: 'EC2' }],
});
const GCP = JSON.stringify({
  prefixes: [
    { ipv4Prefix: '34.1.208.0/20', service: 'Google Cloud', scope: 'africa-south1' },
    { ipv6Prefix: '2600:1900:8000::/44', scope: 'us-east4' },
  ],
});
const AZURE = JSON.stringify({
  values: [
    { name: 'AzureCloud', properties: { region: '', addressPrefixes: ['20.38.0.0/16'] } },
    {
      name: 'AzureCloud.westeurope',
      properties: { region: 'westeurope', addressPrefixes: ['20.38.0.0/16', '20.50.0.0/18'] },
    },
  ],
});

describe('range files', () => {
  it('recognises and parses the published layouts', () => {
    expect(sniffFormat(AWS)).toBe('aws-ip-ranges');
    expect(sniffFormat(GCP)).toBe('gcp-cloud-json');
    expect(sniffFormat(AZURE)).toBe('azure-service-tags');
    expect(sniffFormat('# geofeed\n192.0.2.0/24,FR,FR-IDF,par,\n')).toBe('geofeed-csv');
    expect(sniffFormat('173.245.48.0/20\n2400:cb00::/32\n')).toBe('plain-cidr-list');
    expect(parseRanges('gcp-cloud-json', GCP, 'g')).toEqual([
      { cidr: '34.1.208.0/20', region: 'africa-south1' },
      { cidr: '2600:1900:8000::/44', region: 'us-east4' },
    ]);
  });

  it('answers by longest prefix, over IPv4 and IPv6; GLOBAL is no region', () => {
    const t = new RegionTable();
    t.add(parseRanges('aws-ip-ranges', AWS, 'aws'), 'aws');
    t.add(parseRanges('azure-service-tags', AZURE, 'az'), 'az');
    expect(t.lookup('3.5.1.1')?.region).toBe('eu-west-3');
    expect(t.lookup('3.5.141.7')?.region).toBe('ap-northeast-2');
    expect(t.lookup('13.33.0.1')).toMatchObject({ region: null, prefix: '13.32.0.0/15' });
    expect(t.lookup('2600:1f14::1')?.region).toBe('eu-west-1');
    expect(t.lookup('20.38.4.4')?.region).toBe('westeurope');
    expect(t.lookup('9.9.9.9')).toBeNull();
    expect(t.lookup('not an address')).toBeNull();
  });

  it('loads a directory with or without index.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-ranges-'));
    writeFileSync(join(dir, 'ip-ranges.json'), AWS);
    writeFileSync(join(dir, 'feed.csv'), '10.9.0.0/16,FR,,north,\n');
    writeFileSync(join(dir, 'README'), 'not a range file\n');
    expect(RegionTable.loadDir(dir).lookup('10.9.3.3')?.region).toBe('north');
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify([{ asn: 1, org: 'x', format: 'geofeed-csv', file: 'feed.csv' }]),
    );
    const t = RegionTable.loadDir(dir);
    expect(t.lookup('10.9.3.3')?.region).toBe('north');
    expect(t.lookup('3.5.1.1')).toBeNull();
  });
});
