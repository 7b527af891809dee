/**
 * Starting the processes the tests talk to: the production server (standalone build) with a
 * given environment, logging to test-results/<name>.log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { waitForHttp } from './ports';

export const SERVER = '.next/standalone/server.js';

/** Every app the tests start shows /api/health details to this bearer token. */
export const METRICS_TOKEN = 'e2e-metrics-token-0123456789';
export const metricsAuth = { Authorization: `Bearer ${METRICS_TOKEN}` };

export function baseEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    // Our graceful shutdown handles SIGTERM (lib/shutdown.ts).
    NEXT_MANUAL_SIG_HANDLE: 'true',
    HOSTNAME: '127.0.0.1',
    METRICS_TOKEN,
  };
}

export function startProcess(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  mkdirSync('test-results', { recursive: true });
  const log = createWriteStream(`test-results/${name}.log`);
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return child;
}

/** Starts the app on `port` and waits until it answers. */
export async function startApp(
  name: string,
  port: number,
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = startProcess(name, [SERVER], { ...baseEnv(), ...env, PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/api/health`);
  return { url, child };
}
