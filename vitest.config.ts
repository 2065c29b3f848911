import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources of every workspace package (the
// "source" export condition), so a test never sees a stale dist/.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['{packages,plugins,apps,tools,examples}/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30000,
    hookTimeout: 30000,
    pool: 'forks',
  },
});
