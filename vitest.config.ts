import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql for everything, as under Node: Vite would pick graphql's ESM build (`module`)
    // for our code while @apollo/* load its CommonJS build, and graphql refuses schemas of
    // "another realm" across the two (the gateway's audit and cost plugins walk its schema).
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
