/**
 * A site's dependency graph with Cytoscape.js, loaded on first use (its own chunk): the site in the
 * middle, the components it depends on around it, each edge labelled with the role. A picture for
 * sighted readers; the site page lists the same dependencies in a table.
 */
import type { Dependency } from './api.ts';

const TONE: Record<string, string> = {
  operational: '#1b6e3a',
  degraded_performance: '#8a5a00',
  partial_outage: '#8a5a00',
  major_outage: '#b3261e',
};

export interface GraphSpec {
  site: string;
  siteState: string;
  dependencies: Dependency[];
  /** Component id → label and state, where known. */
  components: Map<string, { label: string; state: string; failing: number }>;
  summary: string;
  onOpen: (component: string) => void;
}

/**
 * Cytoscape injects a `<style>` element (one rule, `position: relative` on its containers) unless an
 * element with this id exists; the CSP refuses inline styles, so the rule is in style.css and this
 * marker stops the injection.
 */
const STYLESHEET_ID = '__________cytoscape_stylesheet';

export async function drawGraph(host: HTMLElement, g: GraphSpec): Promise<() => void> {
  const { default: cytoscape } = await import('cytoscape');
  if (!document.getElementById(STYLESHEET_ID)) {
    const marker = document.createElement('meta');
    marker.id = STYLESHEET_ID;
    document.head.appendChild(marker);
  }
  host.setAttribute('role', 'img');
  host.setAttribute('aria-label', g.summary);
  const siteColor = g.siteState === 'up' ? '#1b6e3a' : g.siteState === 'unknown' ? '#555' : '#b3261e';
  const edges = new Map<string, string[]>();
  for (const d of g.dependencies) edges.set(d.component, [...(edges.get(d.component) ?? []), d.role]);
  const cy = cytoscape({
    container: host,
    // Text comes in as data and is drawn on the canvas: never parsed as HTML.
    elements: [
      { data: { id: 'site-node', label: g.site, color: siteColor }, classes: 'site' },
      ...[...edges.keys()].map((id) => {
        const c = g.components.get(id);
        // Blamed: its state's colour; not blamed but with failing sites: amber.
        const state =
          c && c.state === 'operational' && c.failing > 0 ? 'partial_outage' : (c?.state ?? 'operational');
        return { data: { id, label: c?.label ?? id, color: TONE[state] ?? '#555' } };
      }),
      ...[...edges].map(([id, roles]) => ({
        data: { id: `§e:${id}`, source: 'site-node', target: id, label: [...new Set(roles)].join(', ') },
      })),
    ],
    style: [
      {
        selector: 'node',
        style: {
          label: 'data(label)',
          'background-color': 'data(color)',
          color: '#111',
          'font-size': 12,
          'text-valign': 'bottom',
          'text-margin-y': 4,
          'text-wrap': 'wrap',
          'text-max-width': '150px',
          width: 22,
          height: 22,
        },
      },
      {
        selector: 'node.site',
        style: { width: 34, height: 34, 'font-weight': 'bold', shape: 'round-rectangle' },
      },
      {
        selector: 'edge',
        style: {
          label: 'data(label)',
          'font-size': 11,
          color: '#333',
          'text-rotation': 'autorotate',
          'text-background-color': '#fff',
          'text-background-opacity': 1,
          'line-color': '#999',
          'target-arrow-shape': 'triangle',
          'target-arrow-color': '#999',
          'curve-style': 'bezier',
          width: 2,
        },
      },
    ],
    layout: { name: 'breadthfirst', roots: ['site-node'], directed: true, padding: 30, spacingFactor: 1.1 },
    maxZoom: 1.2,
    userZoomingEnabled: false,
    boxSelectionEnabled: false,
    autoungrabify: true,
  });
  cy.on('tap', 'node', (e) => {
    const id = e.target.id() as string;
    if (id !== 'site-node') g.onOpen(id);
  });
  return () => cy.destroy();
}
