import { defineConfig, type PlaywrightTestProject } from '@playwright/test';

/**
 * End-to-end tests against the production build: `e2e/api` speaks HTTP and EventSource to the
 * server, `e2e/ui` drives Debian's Chromium (or CHROMIUM_PATH) as a person would.
 *
 * The API specs run two at a time, then the browser specs (their timing-sensitive assertions
 * should not share two cores with fuzzing and load). The heavy ones (thousands of connections, hundreds of
 * stalled clients, hostile upstreams, instances killed and restarted) then run one at a time,
 * and the rendering budget (no main-thread task over 50 ms) is measured last, alone: on two
 * cores, each of these would otherwise measure the others' load, not its own.
 */
const HEAVY = [
  '**/e2e/api/load.spec.ts',
  '**/e2e/api/churn.spec.ts',
  '**/e2e/api/hostile-clients.spec.ts',
  '**/e2e/api/hostile-upstream.spec.ts',
  '**/e2e/api/scale-failures.spec.ts',
];
const PERF = '**/e2e/ui/render-perf.spec.ts';

const chromium: PlaywrightTestProject['use'] = {
  browserName: 'chromium',
  viewport: { width: 1280, height: 800 },
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  },
};

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  forbidOnly: !!process.env.CI,
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: { trace: 'retain-on-failure' },
  projects: [
    { name: 'api', testMatch: '**/e2e/api/**/*.spec.ts', testIgnore: HEAVY },
    {
      name: 'chromium',
      testMatch: '**/e2e/ui/**/*.spec.ts',
      testIgnore: PERF,
      dependencies: ['api'],
      use: chromium,
    },
    { name: 'heavy', testMatch: HEAVY, workers: 1, dependencies: ['api', 'chromium'] },
    { name: 'perf', testMatch: PERF, workers: 1, dependencies: ['heavy'], use: chromium },
  ],
});
