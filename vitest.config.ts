import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('./', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      // Modules under lib/ that start with `import 'server-only'` must load in plain Node.
      {
        find: /^server-only$/,
        replacement: fileURLToPath(new URL('./tests/empty.ts', import.meta.url)),
      },
      { find: /^@\//, replacement: root },
    ],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 10_000,
    hookTimeout: 10_000,
  },
});
