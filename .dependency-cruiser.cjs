/**
 * The architecture, enforced (`npm run lint:deps`, part of `npm run lint`): data flows one way —
 * map → probe → detect → explain → pipeline → publish (server) — and a stage never imports from a
 * stage to its right; the product never imports the lab (src/lab: the simulated world, scenarios,
 * the scorer, the run harness), which only the CLI's lab commands, benches and tests may use; no
 * import cycles.
 */
const right = {
  map: ['probe', 'detect', 'explain', 'reports', 'pipeline', 'store', 'server', 'cli', 'agents', 'alerts'],
  probe: ['detect', 'explain', 'reports', 'pipeline', 'store', 'server', 'cli', 'agents', 'alerts'],
  detect: ['explain', 'reports', 'pipeline', 'store', 'server', 'cli', 'agents', 'alerts'],
  explain: ['reports', 'pipeline', 'store', 'server', 'cli', 'agents', 'alerts'],
  reports: ['pipeline', 'server', 'cli', 'agents', 'alerts'],
  pipeline: ['server', 'cli'],
  store: ['pipeline', 'server', 'cli', 'agents', 'alerts'],
  server: ['cli'],
  model: ['asn', 'catalog', 'map', 'probe', 'detect', 'explain', 'reports', 'pipeline', 'store', 'server', 'cli'],
};

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle makes two modules one; split the shared part out.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'product-not-lab',
      severity: 'error',
      comment: 'The product never reads the lab (the world, scenarios, truth, scorer).',
      from: { path: '^src/', pathNot: ['^src/lab/', '^src/cli/commands/(sim|demo|score|scenario)\\.ts$', '\\.test\\.ts$'] },
      to: { path: '^src/lab/' },
    },
    ...Object.entries(right).map(([stage, later]) => ({
      name: `${stage}-not-right`,
      severity: 'error',
      comment: `${stage} must not import a later stage (${later.join(', ')}): data flows one way.`,
      from: { path: `^src/${stage}/`, pathNot: '\\.test\\.ts$' },
      to: { path: `^src/(${later.join('|')})/` },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|web/dist)' },
  },
};
