/**
 * Site templates: `shop-{n}.test` with `count: 400` stands for shop-1.test … shop-400.test.
 */

/** The placeholder replaced by 1..count; it may appear anywhere, any number of times. */
export const TEMPLATE = '{n}';

/** Expand a domain template to `count` names (lower-cased, without a trailing dot). */
export function expandDomain(template: string, count: number): string[] {
  const base = template.toLowerCase().replace(/\.$/, '');
  if (!base.includes(TEMPLATE)) return Array.from({ length: count }, () => base);
  return Array.from({ length: count }, (_, i) => base.split(TEMPLATE).join(String(i + 1)));
}

/** Why a template is malformed (braces other than `{n}`), or null. */
export function templateProblem(template: string): string | null {
  const rest = template.toLowerCase().split(TEMPLATE).join('');
  return /[{}]/.test(rest) ? `only ${TEMPLATE} may appear in braces (got "${template}")` : null;
}

const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Why `name` is not a valid host name (RFC 1123 labels, at least two of them), or null. */
export function hostnameProblem(name: string): string | null {
  if (name.length > 253) return `"${name}" is longer than 253 characters`;
  const labels = name.split('.');
  if (labels.length < 2) return `"${name}" is not a fully qualified host name (like shop.test)`;
  for (const l of labels) {
    if (l.length === 0) return `"${name}" has an empty label`;
    if (l.length > 63) return `"${name}" has a label longer than 63 characters`;
    if (!LABEL.test(l)) return `"${name}" has an invalid label "${l}" (letters, digits, inner dashes)`;
  }
  return null;
}
