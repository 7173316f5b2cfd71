import { defineConfig } from 'vite';

// Served by the HTTP API under /portal (lambdas/static/handler.ts); hashed files under /portal/assets.
export default defineConfig({
  base: '/portal/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    // Inline nothing: separate files cache better, and the CSP allows scripts and styles from files only.
    assetsInlineLimit: 0,
    target: 'es2022',
    rolldownOptions: {
      onLog(level, log, handler) {
        // react-router marks its modules "use client" (for server components); a browser bundle has no use for it.
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
});
