/**
 * The dashboard's build: plain TypeScript, bundled by Vite into `web/dist`, served by `vigie serve`
 * at `/`. Charts (uPlot) and the dependency graph (Cytoscape.js) are split into their own chunks,
 * loaded only by the pages that draw them. In development, `npx vite web` proxies the API to a
 * running `vigie serve` (VIGIE_API, default http://127.0.0.1:8080).
 */
import { defineConfig } from 'vite';

const api = process.env.VIGIE_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline <script>/<style>: the server's Content-Security-Policy allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  server: { proxy: { '/api': api, '/openapi.json': api } },
});
