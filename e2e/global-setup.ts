/**
 * Starts what the end-to-end tests talk to, from the production build:
 * - the OpenAI-compatible simulator with faults on, requiring the test API key;
 * - the app (standalone server) against it, with short lifetimes so tests run fast;
 * - a second app with no key and no base URL: the built-in demo model.
 * Their URLs reach the tests as environment variables; their logs go to test-results/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { freePort, waitForHttp, waitForPort } from './support/ports';

const SERVER = '.next/standalone/server.js';

function start(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  mkdirSync('test-results', { recursive: true });
  const log = createWriteStream(`test-results/${name}.log`);
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return child;
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first.`);
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    HOSTNAME: '127.0.0.1',
  };
  const apiKey = `sk-test-${randomBytes(12).toString('hex')}`;
  const ports = await Promise.all(Array.from({ length: 8 }, () => freePort()));
  const [simPort, appPort, demoPort, deadPort, unreachablePort, redisPort, aPort, bPort] =
    ports as [number, number, number, number, number, number, number, number];
  const redis = spawn(
    process.env.REDIS_SERVER_PATH ?? 'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await waitForPort(redisPort);
  const scaled = (port: number): NodeJS.ProcessEnv => ({
    ...base,
    PORT: String(port),
    OPENAI_API_KEY: apiKey,
    OPENAI_BASE_URL: `http://127.0.0.1:${simPort}/v1`,
    OPENAI_MODEL: 'test-model',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    REDIS_PREFIX: `e2e${redisPort}:`,
    REPLY_GRACE_MS: '2000',
    SSE_RETRY_MS: '300',
  });

  const children = [
    start(
      'simulator',
      [
        'node_modules/tsx/dist/cli.mjs',
        'scripts/simulator.ts',
        '--port',
        String(simPort),
        '--faults',
        '--key',
        apiKey,
        '--token-delay',
        '20',
        '--first-token-delay',
        '50',
      ],
      base,
    ),
    start('app', [SERVER], {
      ...base,
      PORT: String(appPort),
      OPENAI_API_KEY: apiKey,
      OPENAI_BASE_URL: `http://127.0.0.1:${simPort}/v1`,
      OPENAI_MODEL: 'test-model',
      OPENAI_MODELS: 'test-model,other-model',
      UPSTREAM_MAX_RETRIES: '2',
      UPSTREAM_TIMEOUT_MS: '2000',
      UPSTREAM_IDLE_TIMEOUT_MS: '2000',
      REPLY_GRACE_MS: '2000',
      HEARTBEAT_MS: '1000',
      SSE_RETRY_MS: '500',
      MAX_BODY_BYTES: '65536',
      MAX_MESSAGES: '50',
      MAX_MESSAGE_CHARS: '20000',
      MAX_TOTAL_CHARS: '40000',
    }),
    start('demo', [SERVER], { ...base, PORT: String(demoPort), DEMO_TOKEN_DELAY_MS: '5' }),
    // Two instances sharing one Redis: the scale-out tests.
    start('scale-a', [SERVER], scaled(aPort)),
    start('scale-b', [SERVER], scaled(bPort)),
    // An upstream that refuses connections: nothing listens on deadPort.
    start('unreachable', [SERVER], {
      ...base,
      PORT: String(unreachablePort),
      OPENAI_API_KEY: apiKey,
      OPENAI_BASE_URL: `http://127.0.0.1:${deadPort}/v1`,
      UPSTREAM_MAX_RETRIES: '0',
    }),
  ];

  const urls = {
    SIMULATOR_URL: `http://127.0.0.1:${simPort}`,
    APP_URL: `http://127.0.0.1:${appPort}`,
    DEMO_URL: `http://127.0.0.1:${demoPort}`,
    UNREACHABLE_URL: `http://127.0.0.1:${unreachablePort}`,
    SCALE_A_URL: `http://127.0.0.1:${aPort}`,
    SCALE_B_URL: `http://127.0.0.1:${bPort}`,
    REDIS_PORT: String(redisPort),
  };
  await Promise.all([
    waitForHttp(`${urls.SIMULATOR_URL}/health`),
    waitForHttp(`${urls.APP_URL}/api/models`),
    waitForHttp(`${urls.DEMO_URL}/api/models`),
    waitForHttp(`${urls.UNREACHABLE_URL}/api/models`),
    waitForHttp(`${urls.SCALE_A_URL}/api/models`),
    waitForHttp(`${urls.SCALE_B_URL}/api/models`),
  ]);
  Object.assign(process.env, urls, { TEST_API_KEY: apiKey });

  children.push(redis);
  return async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)),
      ),
    );
  };
}
