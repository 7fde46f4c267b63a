/**
 * The indexed catalog. Built once; every lookup is a map or trie walk, never a scan of all
 * providers, because the mapper asks it about every name, address and response it sees.
 */
import { normaliseHost, SuffixIndex } from './suffix.ts';
import { MARKER_WINDOW } from './template.ts';
import type { CatalogEntry, ErrorPage, ErrorPageMeaning } from './types.ts';

/** A provider recognised from one piece of evidence. */
export interface CatalogMatch {
  /** Catalog id of the provider. */
  id: string;
  /** What matched, in words a person can check (e.g. `ns dns200.anycast.me ~ anycast.me`). */
  evidence: string;
}

/** A response recognised as a provider's own error page. */
export interface ErrorPageMatch {
  provider: string;
  meaning: ErrorPageMeaning;
  evidence: string;
}

/** Response headers as Node gives them: names in any case, repeated headers as arrays. */
export type HeaderBag = Record<string, string | string[] | undefined>;

interface HeaderRule {
  id: string;
  name: string;
  re: RegExp | null;
}

interface PageRule {
  id: string;
  page: ErrorPage;
  re: RegExp;
}

type SuffixKind = 'ns' | 'cname' | 'mx';

/** Thrown by the constructor when two entries claim the same name suffix. */
export class CatalogConflictError extends Error {}

/** The provider catalog with its lookup indexes. */
export class Catalog {
  private readonly entries = new Map<string, CatalogEntry>();
  private readonly suffixes: Record<SuffixKind, SuffixIndex> = {
    ns: new SuffixIndex(),
    cname: new SuffixIndex(),
    mx: new SuffixIndex(),
  };
  private readonly asns = new Map<number, string[]>();
  private readonly orgRules: { id: string; re: RegExp }[] = [];
  /** Organisation strings repeat across thousands of addresses: remember each answer. */
  private readonly orgCache = new Map<string, CatalogMatch[]>();
  private readonly headerRules = new Map<string, HeaderRule[]>();
  private readonly pagesByStatus = new Map<number, PageRule[]>();

  constructor(entries: readonly CatalogEntry[]) {
    const conflicts: string[] = [];
    const sorted = [...entries].sort((a, b) => a.id.localeCompare(b.id));
    for (const e of sorted) {
      this.entries.set(e.id, e);
      for (const kind of ['ns', 'cname', 'mx'] as const)
        for (const s of e[kind]) {
          const other = this.suffixes[kind].add(s, e.id);
          if (other) conflicts.push(`${kind} suffix ${s} claimed by both ${other} and ${e.id}`);
        }
      e.asns.forEach((asn) => {
        const ids = this.asns.get(asn) ?? [];
        ids.push(e.id);
        this.asns.set(asn, ids);
      });
      for (const o of e.org) this.orgRules.push({ id: e.id, re: new RegExp(o, 'i') });
      for (const h of e.headers) {
        const rules = this.headerRules.get(h.name) ?? [];
        rules.push({ id: e.id, name: h.name, re: h.pattern ? new RegExp(h.pattern, 'i') : null });
        this.headerRules.set(h.name, rules);
      }
      for (const page of e.errorPages) {
        const rule = { id: e.id, page, re: new RegExp(page.marker, 'i') };
        for (const status of page.status) {
          const rules = this.pagesByStatus.get(status) ?? [];
          rules.push(rule);
          this.pagesByStatus.set(status, rules);
        }
      }
    }
    // A provider's own network is more telling than a platform running in it: hosting entries first.
    for (const ids of this.asns.values())
      ids.sort((a, b) => this.asnRank(a) - this.asnRank(b) || a.localeCompare(b));
    if (conflicts.length > 0) throw new CatalogConflictError(conflicts.join('; '));
  }

  /** The entry with this id, if any. */
  get(id: string): CatalogEntry | undefined {
    return this.entries.get(id);
  }

  /** Every entry, sorted by id. */
  all(): CatalogEntry[] {
    return [...this.entries.values()];
  }

  /** The DNS provider whose name-server suffix `host` ends with (longest suffix wins). */
  byNs(host: string): CatalogMatch | null {
    return this.bySuffix('ns', host);
  }

  /** The provider whose CNAME target suffix `host` ends with. */
  byCname(host: string): CatalogMatch | null {
    return this.bySuffix('cname', host);
  }

  /** The mail provider whose MX suffix `host` ends with. */
  byMx(host: string): CatalogMatch | null {
    return this.bySuffix('mx', host);
  }

  /** Every provider announcing from `asn`, hosting providers first (e.g. 16509 → aws, cloudfront). */
  byAsn(asn: number): CatalogMatch[] {
    return (this.asns.get(asn) ?? []).map((id) => ({ id, evidence: `AS${asn}` }));
  }

  /** Providers whose organisation pattern matches `org` as the IP-to-AS data spells it, hosting first. */
  byOrg(org: string): CatalogMatch[] {
    const key = org.trim();
    let found = this.orgCache.get(key);
    if (!found) {
      const ids = new Set<string>();
      found = [];
      for (const rule of this.orgRules)
        if (!ids.has(rule.id) && rule.re.test(key)) {
          ids.add(rule.id);
          found.push({ id: rule.id, evidence: `org "${key}" ~ /${rule.re.source}/i` });
        }
      found.sort((a, b) => this.asnRank(a.id) - this.asnRank(b.id));
      this.orgCache.set(key, found);
    }
    return found;
  }

  /** Providers whose header markers appear in `headers`, one match per provider listing every header. */
  byHeaders(headers: HeaderBag): CatalogMatch[] {
    const hits = new Map<string, string[]>();
    for (const [rawName, rawValue] of Object.entries(headers)) {
      if (rawValue === undefined) continue;
      const rules = this.headerRules.get(rawName.toLowerCase());
      if (!rules) continue;
      const values = Array.isArray(rawValue) ? rawValue : [rawValue];
      for (const rule of rules) {
        const value = rule.re ? values.find((v) => rule.re!.test(v)) : values[0];
        if (value === undefined) continue;
        const list = hits.get(rule.id) ?? [];
        list.push(`${rule.name}: ${value}`);
        hits.set(rule.id, list);
      }
    }
    return [...hits]
      .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
      .map(([id, list]) => ({ id, evidence: `header ${list.join(', ')}` }));
  }

  /**
   * Recognises a provider's own error page from its status and the first KiB of its body. When
   * several pages match (a generic-looking marker), the provider whose headers are also present
   * wins: a "cloudflare" page without Cloudflare's headers is weaker evidence than one with them.
   */
  errorPage(status: number, body: string, headers: HeaderBag = {}): ErrorPageMatch | null {
    const rules = this.pagesByStatus.get(status);
    if (!rules) return null;
    const head = body.slice(0, MARKER_WINDOW);
    const candidates = rules.filter((r) => r.re.test(head));
    if (candidates.length === 0) return null;
    const byProvider = new Map(this.byHeaders(headers).map((m) => [m.id, m.evidence]));
    const best = candidates.find((r) => byProvider.has(r.id)) ?? candidates[0];
    const marker = head.match(best.re)?.[0] ?? '';
    const headerEvidence = byProvider.get(best.id);
    return {
      provider: best.id,
      meaning: best.page.meaning,
      evidence:
        `status ${status}, body matches "${marker.slice(0, 80)}"` +
        (headerEvidence ? `, ${headerEvidence}` : ''),
    };
  }

  private bySuffix(kind: SuffixKind, host: string): CatalogMatch | null {
    const name = normaliseHost(host);
    const hit = this.suffixes[kind].lookup(name);
    return hit ? { id: hit.id, evidence: `${kind} ${name} ~ ${hit.suffix}` } : null;
  }

  private asnRank(id: string): number {
    return this.entries.get(id)?.roles.includes('hosting') ? 0 : 1;
  }
}
