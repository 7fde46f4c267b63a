/**
 * Placeholders in catalog examples. The world substitutes real values; the loader substitutes
 * these samples to check every example still matches its own marker.
 */
export interface PageVars {
  status: number;
  host: string;
  ray: string;
}

/** Sample values used when validating examples. */
export const SAMPLE_VARS: PageVars = { status: 502, host: 'www.example.fr', ray: '8d3c1a2b4e5f6789' };

/** Replaces `{status}`, `{host}` and `{ray}` in a catalog example. */
export function fillPage(template: string, vars: PageVars): string {
  return template
    .replaceAll('{status}', String(vars.status))
    .replaceAll('{host}', vars.host)
    .replaceAll('{ray}', vars.ray);
}

/** Expands a `world.cnameTemplate` for one site label. */
export function fillCname(template: string, label: string): string {
  return template.replaceAll('{label}', label);
}

/** Error-page markers only ever see the start of a body: big pages must say who they are early. */
export const MARKER_WINDOW = 1024;
