/**
 * Starts what the end-to-end tests talk to, from the production build:
 * - the OpenAI-compatible simulator with faults on, requiring the test API key;
 * - APP: the app against it, with short lifetimes so tests run fast (rate limits off);
 * - APP_RESPONSES: the same app on the Responses API (OPENAI_API=responses), same simulator;
 * - DEMO: no key and no base URL, the built-in demo model;
 * - UNREACHABLE: an upstream that refuses connections;
 * - SCALE_A / SCALE_B: two instances sharing a real redis-server, with rate limits on;
 * - PRIVATE: an access code and tight in-memory rate limits;
 * - DISCOVERY: no OPENAI_MODELS (nor OPENAI_MODEL), against a second simulator that lists several
 *   models with context windows and vision (the models offered are the ones it lists).
 * Their URLs reach the tests as environment variables; their logs go to test-results/.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { freePort, waitForHttp, waitForPort } from './support/ports';
import { SERVER, baseEnv, startApp, startProcess } from './support/servers';

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first.`);
  const apiKey = `sk-test-${randomBytes(12).toString('hex')}`;
  const accessCode = `code-${randomBytes(6).toString('hex')}`;
  const [simPort, deadPort, redisPort, listingSimPort, ...appPorts] = await Promise.all(
    Array.from({ length: 12 }, () => freePort()),
  );
  const port = (i: number) => appPorts[i]!;

  const redis = spawn(
    process.env.REDIS_SERVER_PATH ?? 'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const simulator = startProcess(
    'simulator',
    [
      'node_modules/tsx/dist/cli.mjs',
      'scripts/simulator.ts',
      ...['--port', String(simPort), '--faults', '--key', apiKey],
      ...['--token-delay', '20', '--first-token-delay', '50'],
    ],
    baseEnv(),
  );
  const SIMULATOR_URL = `http://127.0.0.1:${simPort}`;
  // The upstream of DISCOVERY: what its GET /v1/models lists is what that app offers.
  const listingSimulator = startProcess(
    'simulator-models',
    [
      'node_modules/tsx/dist/cli.mjs',
      'scripts/simulator.ts',
      ...['--port', String(listingSimPort), '--faults', '--key', apiKey],
      ...['--token-delay', '20', '--first-token-delay', '50'],
      ...['--models', 'local-small,local-vision,llama3.1:8b,nomic-embed-text'],
      ...['--context-lengths', 'local-small=8192,local-vision=32768', '--vision', 'local-vision'],
    ],
    baseEnv(),
  );
  const MODELS_SIMULATOR_URL = `http://127.0.0.1:${listingSimPort}`;
  await Promise.all([
    waitForPort(redisPort!),
    waitForHttp(`${SIMULATOR_URL}/health`),
    waitForHttp(`${MODELS_SIMULATOR_URL}/health`),
  ]);

  const upstream = {
    OPENAI_API_KEY: apiKey,
    OPENAI_BASE_URL: `${SIMULATOR_URL}/v1`,
    OPENAI_MODEL: 'test-model',
  };
  const noLimits = { RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_CONCURRENT: '0' };
  // The tests stand for many clients by sending X-Forwarded-For from loopback: trust it there.
  const scaled = {
    ...upstream,
    TRUST_PROXY: 'loopback',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    REDIS_PREFIX: `e2e${redisPort}:`,
    REPLY_GRACE_MS: '2000',
    SSE_RETRY_MS: '300',
    RATE_LIMIT_PER_MINUTE: '4',
    RATE_LIMIT_CONCURRENT: '2',
  };
  const app = {
    ...upstream,
    ...noLimits,
    // The third name is long, as real ones are (the phone header must still show the title).
    OPENAI_MODELS: 'test-model,other-model,meta-llama/Llama-3.3-70B-Instruct-Turbo-long-context',
    VISION_MODELS: 'test-model',
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
  };
  const apps = await Promise.all([
    startApp('app', port(0), app),
    startApp('demo', port(1), { ...noLimits, DEMO_TOKEN_DELAY_MS: '5' }),
    startApp('unreachable', port(2), {
      ...noLimits,
      OPENAI_API_KEY: apiKey,
      OPENAI_BASE_URL: `http://127.0.0.1:${deadPort}/v1`,
      UPSTREAM_MAX_RETRIES: '0',
    }),
    startApp('scale-a', port(3), scaled),
    startApp('scale-b', port(4), scaled),
    startApp('private', port(5), {
      ...upstream,
      TRUST_PROXY: 'loopback',
      ACCESS_CODE: accessCode,
      // As on Vercel, where disconnects go unseen: leave beacons end replies.
      REPLY_LEAVE: 'on',
      REPLY_GRACE_MS: '2000',
      RATE_LIMIT_PER_MINUTE: '3',
      RATE_LIMIT_CONCURRENT: '1',
    }),
    startApp('discovery', port(6), {
      ...noLimits,
      OPENAI_API_KEY: apiKey,
      OPENAI_BASE_URL: `${MODELS_SIMULATOR_URL}/v1`,
      // Configured beats what the server reports (32768).
      MODEL_CONTEXT_TOKENS: 'local-vision=16384',
      REPLY_GRACE_MS: '2000',
    }),
    startApp('app-responses', port(7), { ...app, OPENAI_API: 'responses' }),
  ]);

  Object.assign(process.env, {
    SIMULATOR_URL,
    APP_URL: apps[0].url,
    DEMO_URL: apps[1].url,
    UNREACHABLE_URL: apps[2].url,
    SCALE_A_URL: apps[3].url,
    SCALE_B_URL: apps[4].url,
    PRIVATE_URL: apps[5].url,
    DISCOVERY_URL: apps[6].url,
    MODELS_SIMULATOR_URL,
    APP_RESPONSES_URL: apps[7].url,
    REDIS_PORT: String(redisPort),
    TEST_API_KEY: apiKey,
    TEST_ACCESS_CODE: accessCode,
  });

  const children = [simulator, listingSimulator, redis, ...apps.map((a) => a.child)];
  return async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)),
      ),
    );
  };
}
