import { describe, expect, it } from 'vitest';
import { loadCatalog } from './load.ts';

const catalog = loadCatalog();

describe('Catalog name lookups', () => {
  it.each([
    ['byNs', 'dns200.anycast.me', 'ovh'],
    ['byNs', 'NS200.ANYCAST.ME.', 'ovh'],
    ['byNs', 'dns10.ovh.net', 'ovh'],
    ['byNs', 'kate.ns.cloudflare.com', 'cloudflare'],
    ['byNs', 'ns-1234.awsdns-12.org', 'aws'],
    ['byNs', 'ns-567.awsdns-06.co.uk', 'aws'],
    ['byNs', 'ns1-01.azure-dns.com', 'azure'],
    ['byNs', 'ns-cloud-a1.googledomains.com', 'gcp'],
    ['byNs', 'a1-64.akam.net', 'akamai'],
    ['byNs', 'ns-123-a.gandi.net', 'gandi'],
    ['byNs', 'ns1045.ui-dns.de', 'ionos'],
    ['byNs', 'ns1.o2switch.net', 'o2switch'],
    ['byNs', 'ns11.infomaniak.ch', 'infomaniak'],
    ['byNs', 'hydrogen.ns.hetzner.com', 'hetzner'],
    ['byNs', 'ns0.dom.scw.cloud', 'scaleway'],
    ['byNs', 'dns1.p01.nsone.net', 'ns1'],
    ['byNs', 'ns51.domaincontrol.com', 'godaddy'],
    ['byCname', 'd111111abcdef8.cloudfront.net', 'cloudfront'],
    ['byCname', 'x.edgekey.net', 'akamai'],
    ['byCname', 'e1234.a.akamaiedge.net', 'akamai'],
    ['byCname', 'www.example.fr.cdn.cloudflare.net', 'cloudflare'],
    ['byCname', 'dualstack.j.sni.global.fastly.net', 'fastly'],
    ['byCname', 'site.b-cdn.net', 'bunny'],
    ['byCname', 'cname.vercel-dns.com', 'vercel'],
    ['byCname', 'abc123.vercel-dns-017.com', 'vercel'],
    ['byCname', 'brave-site-1234.netlify.app', 'netlify'],
    ['byCname', 'octocat.github.io', 'github-pages'],
    ['byCname', 'shops.myshopify.com', 'shopify'],
    ['byCname', 'cdn1.wixdns.net', 'wix'],
    ['byCname', 'ext-cust.squarespace.com', 'squarespace'],
    ['byCname', 'my-app.azurewebsites.net', 'azure'],
    ['byCname', 'ghs.googlehosted.com', 'gcp'],
    ['byCname', 'my-lb-1234567890.eu-west-3.elb.amazonaws.com', 'aws'],
    ['byCname', 'cluster031.hosting.ovh.net', 'ovh'],
    ['byCname', 'lemonde.queue-it.net', 'queue-it'],
    ['byMx', 'example.mail.protection.outlook.com', 'microsoft-365'],
    ['byMx', 'aspmx.l.google.com', 'google-workspace'],
    ['byMx', 'alt2.aspmx.l.google.com.', 'google-workspace'],
    ['byMx', 'mx1.mail.ovh.net', 'ovh'],
    ['byMx', 'spool.mail.gandi.net', 'gandi'],
    ['byMx', 'mx00.ionos.fr', 'ionos'],
    ['byMx', 'mta-gw.infomaniak.ch', 'infomaniak'],
    ['byMx', 'mail.protonmail.ch', 'proton-mail'],
    ['byMx', 'mx.zoho.eu', 'zoho-mail'],
    ['byMx', 'route1.mx.cloudflare.net', 'cloudflare'],
  ] as const)('%s(%s) → %s', (method, host, id) => {
    const m = catalog[method](host);
    expect(m?.id).toBe(id);
    expect(m?.evidence).toContain(host.toLowerCase().replace(/\.$/, ''));
  });

  it.each([
    ['byNs', 'notcloudflare.com'],
    ['byNs', 'ns.cloudflare.com.evil.example'],
    ['byNs', 'kate.xns.cloudflare.com'],
    ['byCname', 'notcloudflare.net'],
    ['byCname', 'x.cdn-cloudflare.net'],
    ['byCname', 'fakecloudfront.net'],
    ['byCname', 'myedgekey.net'],
    ['byCname', 'cloudfront.net.attacker.example'],
    ['byNs', 'ns-1.awsdns.org'],
    ['byNs', 'ns-1.notawsdns-12.org'],
    ['byMx', 'mail.protection.outlook.com.example.org'],
    ['byMx', 'faspmx.l.google.com'],
    ['byNs', ''],
  ] as const)('%s(%s) is not matched (near miss)', (method, host) => {
    expect(catalog[method](host)).toBeNull();
  });

  it('prefers the longest suffix', () => {
    // `mail.ovh.net` (MX) sits under `ovh.net`, both OVH; Cloudflare's `mx.cloudflare.net` under nothing else.
    expect(catalog.byMx('mx3.mail.ovh.net')?.evidence).toContain('mail.ovh.net');
  });
});

describe('Catalog network lookups', () => {
  it.each([
    [16276, 'ovh'],
    [13335, 'cloudflare'],
    [16509, 'aws'],
    [14618, 'aws'],
    [15169, 'gcp'],
    [396982, 'gcp'],
    [8075, 'azure'],
    [20940, 'akamai'],
    [16625, 'akamai'],
    [54113, 'fastly'],
    [12876, 'scaleway'],
    [24940, 'hetzner'],
    [29169, 'gandi'],
    [8560, 'ionos'],
    [50474, 'o2switch'],
    [29222, 'infomaniak'],
    [63949, 'linode'],
  ])('byAsn(%i) → %s first', (asn, id) => {
    const found = catalog.byAsn(asn);
    expect(found[0]?.id).toBe(id);
    expect(found[0]?.evidence).toBe(`AS${asn}`);
  });

  it('lists every provider sharing an AS, hosting first', () => {
    expect(catalog.byAsn(16509).map((m) => m.id)).toEqual(['aws', 'cloudfront']);
    expect(catalog.byAsn(64512)).toEqual([]);
  });

  it.each([
    ['OVH SAS', 'ovh'],
    ['Cloudflare, Inc.', 'cloudflare'],
    ['CLOUDFLARENET', 'cloudflare'],
    ['Amazon.com, Inc.', 'aws'],
    ['AMAZON-02', 'aws'],
    ['Google LLC', 'gcp'],
    ['Microsoft Corporation', 'azure'],
    ['Akamai International B.V.', 'akamai'],
    ['Fastly, Inc.', 'fastly'],
    ['Scaleway SAS', 'scaleway'],
    ['ONLINE SAS', 'scaleway'],
    ['Hetzner Online GmbH', 'hetzner'],
    ['GANDI SAS', 'gandi'],
    ['IONOS SE', 'ionos'],
    ['O2SWITCH SARL', 'o2switch'],
    ['Infomaniak Network SA', 'infomaniak'],
    ['Oxalide SAS', 'oxalide'],
  ])('byOrg(%s) → %s first', (org, id) => {
    expect(catalog.byOrg(org)[0]?.id).toBe(id);
  });

  it.each(['AMAZONAS TRIBUNAL DE JUSTICA', '1&1 Versatel Deutschland GmbH', 'Free SAS', 'Orange S.A.'])(
    'byOrg(%s) matches nothing',
    (org) => {
      expect(catalog.byOrg(org)).toEqual([]);
    },
  );
});

describe('Catalog.byHeaders', () => {
  it.each([
    [{ Server: 'cloudflare', 'CF-RAY': '8d3c1a2b4e5f6789-CDG' }, 'cloudflare'],
    [{ 'x-amz-cf-id': 'abc==', 'x-cache': 'Miss from cloudfront' }, 'cloudfront'],
    [{ 'x-served-by': 'cache-cdg20731-CDG', 'x-timer': 'S1761732000.123456,VS0,VE12' }, 'fastly'],
    [{ server: 'AkamaiGHost' }, 'akamai'],
    [{ 'x-vercel-id': 'cdg1::iad1::abcde-1761732000000-0123456789ab' }, 'vercel'],
    [{ 'x-nf-request-id': '01JBX8Z3K9Q4W7E2R5T6Y8U0I1' }, 'netlify'],
    [{ 'x-github-request-id': 'A1B2:3C4D:5E6F70:8192A3:65A1B2C3' }, 'github-pages'],
    [{ 'x-sucuri-id': '15015' }, 'sucuri'],
    [{ 'x-iinfo': '12-34567890-34567891 NNNN CT(0 0 0)' }, 'imperva'],
    [{ 'x-shopify-stage': 'production' }, 'shopify'],
    [{ server: 'BunnyCDN-DE1-1045', 'cdn-requestid': '0a1b2c3d4e5f60718293a4b5c6d7e8f9' }, 'bunny'],
    [{ 'x-azure-ref': '20251029T161000Z-17d8f9c8b7d6e5f4abcd1234' }, 'azure'],
    [{ 'x-iplb-instance': ['40127'] }, 'ovh'],
  ])('%o → %s', (headers, id) => {
    const found = catalog.byHeaders(headers);
    expect(found[0]?.id).toBe(id);
    expect(found[0]?.evidence).toMatch(/^header /);
  });

  it('ignores headers whose value does not match the pattern', () => {
    expect(catalog.byHeaders({ server: 'nginx', 'x-cache': 'HIT', via: '1.1 varnish' })).toEqual([]);
  });

  it('reports several providers when a CDN fronts another platform', () => {
    const ids = catalog.byHeaders({
      server: 'cloudflare',
      'cf-ray': '8d3c1a2b4e5f6789-CDG',
      'x-shopid': '42',
    });
    expect(ids.map((m) => m.id).sort()).toEqual(['cloudflare', 'shopify']);
  });
});

describe('Catalog.errorPage', () => {
  const cfHeaders = { server: 'cloudflare', 'cf-ray': '8d3c1a2b4e5f6789-CDG' };
  const page = (id: string, meaning: string): string =>
    catalog
      .get(id)!
      .errorPages.find((p) => p.meaning === meaning)!
      .example.replaceAll('{host}', 'www.example.fr')
      .replaceAll('{ray}', '8d3c1a2b4e5f6789');

  it('a Cloudflare 522 implicates the origin', () => {
    const body = page('cloudflare', 'origin_unreachable').replaceAll('{status}', '522');
    expect(catalog.errorPage(522, body, cfHeaders)).toMatchObject({
      provider: 'cloudflare',
      meaning: 'origin_unreachable',
    });
    expect(catalog.errorPage(522, 'error code: 522', cfHeaders)?.meaning).toBe('origin_unreachable');
  });

  it('a Cloudflare 500 edge page implicates Cloudflare', () => {
    const body = page('cloudflare', 'edge_error').replaceAll('{status}', '500');
    const m = catalog.errorPage(500, body, cfHeaders);
    expect(m).toMatchObject({ provider: 'cloudflare', meaning: 'edge_error' });
    expect(m?.evidence).toContain('cf-ray');
  });

  it.each([
    ['cloudfront', 'origin_unreachable', 502],
    ['cloudfront', 'edge_error', 503],
    ['akamai', 'origin_unreachable', 503],
    ['fastly', 'origin_unreachable', 503],
    ['fastly', 'edge_error', 503],
    ['gcp', 'origin_unreachable', 502],
    ['vercel', 'origin_unreachable', 502],
    ['azure', 'edge_error', 503],
    ['queue-it', 'queue', 200],
    ['cloudflare', 'queue', 200],
  ])('%s %s page (%i) is recognised', (id, meaning, status) => {
    const body = page(id, meaning).replaceAll('{status}', String(status));
    expect(catalog.errorPage(status, body)).toMatchObject({ provider: id, meaning });
  });

  it('a generic origin 502 is nobody’s error page', () => {
    const nginx =
      '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
    expect(catalog.errorPage(502, nginx, { server: 'nginx' })).toBeNull();
  });

  it('needs the status to agree with the page', () => {
    const body = page('cloudflare', 'origin_unreachable').replaceAll('{status}', '522');
    expect(catalog.errorPage(200, body, cfHeaders)).toBeNull();
  });

  it('only reads the first KiB of the body', () => {
    expect(catalog.errorPage(522, `${' '.repeat(2048)}error code: 522`, cfHeaders)).toBeNull();
  });
});
