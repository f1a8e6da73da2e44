import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', otel: 'src/otel.ts', 'otel-logs': 'src/otel-logs.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    target: 'node20',
    // The native addon is loaded at run time from @coresdk/native (and its per-platform
    // package); it is never bundled.
    external: ['@coresdk/native', /^@opentelemetry\//],
  },
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    target: 'node20',
    external: ['@coresdk/native'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
