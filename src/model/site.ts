/** A monitored site: a domain, optionally its mail. Types only. */
export interface Site {
  domain: string;
  /** Probe the site's mail exchangers too. */
  mail?: boolean;
  /** Relative audience (crowd-report weighting). */
  weight?: number;
  /** Free labels (owner, sector…). */
  tags?: string[];
}
