/**
 * The provider catalog: real public fingerprints of providers, used by the mapper to recognise them
 * and by the simulated world to impersonate them. Data lives in `catalog/providers/*.yaml`.
 */

export type CatalogRole = 'hosting' | 'dns' | 'mail' | 'cdn' | 'platform';

export interface HeaderMarker {
  /** Lower-case header name, e.g. `cf-ray`. */
  name: string;
  /** Optional case-insensitive regex the value must match; absent → presence is enough. */
  pattern?: string;
  /** Example value the world sends. */
  example: string;
}

export type ErrorPageMeaning =
  | 'origin_unreachable' // the CDN could not reach the origin: implicates the origin's host
  | 'edge_error' // the CDN itself failed: implicates the CDN
  | 'queue'; // a waiting-room / queue page: overload

export interface ErrorPage {
  status: number[];
  meaning: ErrorPageMeaning;
  /** Case-insensitive regex matched against the body's first KiB. */
  marker: string;
  /** A body the world serves (must match `marker`); `{status}`, `{host}`, `{ray}` are substituted. */
  example: string;
}

export interface RangeFile {
  /** Layout of the provider's published per-region range file. */
  format: 'aws-ip-ranges' | 'gcp-cloud-json' | 'azure-service-tags' | 'plain-cidr-list' | 'geofeed-csv';
  url: string;
  /** Name the world gives the file it writes in this layout. */
  file: string;
}

export interface CatalogEntry {
  id: string;
  name: string;
  roles: CatalogRole[];
  asns: number[];
  /** Case-insensitive regexes for the organisation as IP-to-AS data spells it. */
  org: string[];
  /** Name-server host suffixes (e.g. `ns.cloudflare.com`) — matched on label boundaries. */
  ns: string[];
  /** CNAME target suffixes (e.g. `cdn.cloudflare.net`). */
  cname: string[];
  /** MX host suffixes. */
  mx: string[];
  headers: HeaderMarker[];
  errorPages: ErrorPage[];
  /** TLS certificate issuer organisation, when the provider issues its own. */
  tlsIssuer?: string;
  ranges?: RangeFile;
  /** Concrete names the world uses: NS hosts, MX hosts, CNAME target template (`{label}` = site label). */
  world: {
    nsHosts: string[];
    mxHosts: string[];
    cnameTemplate?: string;
  };
  /** Where each fingerprint comes from (URLs of public documentation, RFCs, observed behaviour). */
  sources: string[];
}
