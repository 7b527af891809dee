/**
 * The servers under test, all on 127.0.0.1: the OpenAI-compatible simulator (the upstream of
 * every variant and the "direct" variant itself), a stable copy of the product's production
 * build, and the peer Next.js app (naive relay, AI SDK, plain react-markdown page), built from
 * bench/peers/ into its own .next and rebuilt only when its sources or dependencies change.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep, startProcess, tail, type Child } from './proc';

export const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const PEER_DIR = path.join(ROOT, 'bench', 'peers', 'next-peers');

/** Environment for servers: only what they need, so nothing from the caller's shell leaks in. */
function baseEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
  };
}

async function waitForHttp(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) break;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  throw new Error(`${child.name} did not become ready at ${url}:\n${tail(child.logFile)}`);
}

export interface Simulator extends Child {
  baseUrl: string;
}

export async function startSimulator(workDir: string): Promise<Simulator> {
  const port = await freePort();
  const child = startProcess(
    'simulator',
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/simulator.ts',
      '--port',
      String(port),
      '--faults',
      '--token-delay',
      '0',
      '--first-token-delay',
      '0',
    ],
    { cwd: ROOT, env: baseEnv(), port, logFile: path.join(workDir, 'simulator.log') },
  );
  await waitForHttp(`http://127.0.0.1:${port}/health`, child);
  return Object.assign(child, { baseUrl: `http://127.0.0.1:${port}/v1` });
}

function buildId(dir: string): string | undefined {
  try {
    return readFileSync(path.join(dir, 'BUILD_ID'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Copies the product's standalone build (and its static assets) out of .next, which other
 * work may rebuild at any moment, so that one run measures one build. Builds it first when
 * there is none.
 */
export function copyAppBuild(workDir: string, log: (s: string) => void): string {
  const standalone = path.join(ROOT, '.next', 'standalone');
  // Another build may be under way (it removes the standalone output first): wait for it.
  const deadline = Date.now() + 10 * 60_000;
  let told = false;
  while (!existsSync(path.join(standalone, 'server.js'))) {
    if (!existsSync(path.join(ROOT, '.next', 'lock')) || Date.now() > deadline) {
      log('no production build in .next/standalone: running npm run build');
      const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
      if (r.status !== 0) throw new Error('npm run build failed');
      break;
    }
    if (!told) log('waiting for the next build that is running to finish');
    told = true;
    sleepSync(3_000);
  }
  const target = path.join(workDir, 'app');
  for (let attempt = 1; ; attempt++) {
    const before = buildId(path.join(ROOT, '.next'));
    rmSync(target, { recursive: true, force: true });
    try {
      cpSync(standalone, target, { recursive: true });
      cpSync(path.join(ROOT, '.next', 'static'), path.join(target, '.next', 'static'), {
        recursive: true,
      });
      if (existsSync(path.join(ROOT, 'public'))) {
        cpSync(path.join(ROOT, 'public'), path.join(target, 'public'), { recursive: true });
      }
    } catch (error) {
      if (attempt >= 5) throw error;
      log(`copying the build failed (${(error as Error).message}); a rebuild is running? retrying`);
      sleepSync(5_000);
      continue;
    }
    const after = buildId(path.join(ROOT, '.next'));
    const copied = buildId(path.join(target, '.next'));
    if (before && before === after && copied === before && existsSync(`${target}/server.js`)) {
      return target;
    }
    if (attempt >= 5) throw new Error('.next kept changing while it was copied');
    log('.next changed while it was copied (a rebuild is running?): retrying');
    sleepSync(5_000);
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function filesUnder(dir: string, skip: Set<string>): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (skip.has(entry)) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full, skip));
    else out.push(full);
  }
  return out;
}

const PEER_PACKAGES = [
  'next',
  'react',
  'react-dom',
  'openai',
  'ai',
  '@ai-sdk/openai',
  'react-markdown',
  'remark-gfm',
];

function peerSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(PEER_DIR, new Set(['.next', 'node_modules']))) {
    hash.update(path.relative(PEER_DIR, file)).update('\0').update(readFileSync(file));
  }
  for (const pkg of PEER_PACKAGES) {
    const json = JSON.parse(
      readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8'),
    ) as { version: string };
    hash.update(`${pkg}@${json.version}\0`);
  }
  hash.update(process.version);
  return hash.digest('hex');
}

function findServerJs(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === '.next') continue;
    const full = path.join(dir, entry);
    if (entry === 'server.js') return full;
    if (statSync(full).isDirectory()) {
      const found = findServerJs(full);
      if (found) return found;
    }
  }
  return undefined;
}

/** Builds the peer app when its sources changed; returns the directory of its server.js. */
export function ensurePeerBuild(log: (s: string) => void): string {
  const distDir = path.join(PEER_DIR, '.next');
  const stamp = path.join(distDir, 'bench-source-hash');
  const hash = peerSourceHash();
  const existing = findServerJs(path.join(distDir, 'standalone'));
  if (existing && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
    return path.dirname(existing);
  }
  log('building the peer app (bench/peers/next-peers): its sources or dependencies changed');
  rmSync(distDir, { recursive: true, force: true });
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build', PEER_DIR],
    { cwd: ROOT, env: { ...baseEnv() }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );
  if (r.status !== 0) {
    throw new Error(`building the peer app failed:\n${(r.stdout ?? '') + (r.stderr ?? '')}`);
  }
  const server = findServerJs(path.join(distDir, 'standalone'));
  if (!server) throw new Error('the peer build has no standalone server.js');
  const serverDir = path.dirname(server);
  cpSync(path.join(distDir, 'static'), path.join(serverDir, '.next', 'static'), {
    recursive: true,
  });
  writeFileSync(stamp, hash);
  log(`peer app built in ${Math.round((Date.now() - started) / 1000)} s`);
  return serverDir;
}

export interface NextServer extends Child {
  url: string;
}

/** Starts a Next.js standalone server (the product or the peer app) on a free port. */
export async function startNext(
  name: string,
  serverDir: string,
  simulator: Simulator,
  workDir: string,
  extraEnv: Record<string, string> = {},
  readyPath = '/',
  nodeArgs: string[] = [],
): Promise<NextServer> {
  const port = await freePort();
  mkdirSync(workDir, { recursive: true });
  const child = startProcess(name, process.execPath, [...nodeArgs, 'server.js'], {
    cwd: serverDir,
    port,
    logFile: path.join(workDir, `${name}.log`),
    env: {
      ...baseEnv(),
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      NEXT_MANUAL_SIG_HANDLE: 'true',
      OPENAI_API_KEY: 'sk-bench',
      OPENAI_BASE_URL: simulator.baseUrl,
      OPENAI_MODEL: 'demo',
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_CONCURRENT: '0',
      ...extraEnv,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url + readyPath, child);
  return Object.assign(child, { url });
}
