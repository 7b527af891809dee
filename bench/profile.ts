/**
 * Where a relay spends its CPU: runs one variant under `node --cpu-prof` with the load of the
 * CPU figure (C clients, each keeping one reply of T tokens open, upstream as fast as it can),
 * then prints the top functions by self time and the share of each package.
 *   npx tsx bench/profile.ts [--variant=app|naive|ai-sdk] [--concurrency=50] [--seconds=10]
 * or, paced like the concurrency sweep: N replies opened at R per second, at D ms per token:
 *   npx tsx bench/profile.ts --variant=app --open=500 --rate=200 --delay=50 --tokens=130
 * This app with Redis (a redis-server of its own): `--redis` profiles the owner (the instance
 * generating the replies, writing them to Redis); `--mirror` profiles the other instance: the
 * replies are created on an owner that is not profiled (two-step POST) and followed on it.
 *   npx tsx bench/profile.ts --variant=app --redis
 *   npx tsx bench/profile.ts --variant=app --mirror --open=50 --rate=1000 --delay=20 --tokens=500
 * The .cpuprofile is left in bench/results/profile/ (open it in Chrome DevTools), or `--out=DIR`.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setMaxListeners } from 'node:events';
import { streamReply, type StreamOptions, type StreamResult } from './lib/client';
import type { CpuProfile } from './lib/cpuprofile';
import { cpuMicros, killAll, runScript, sleep } from './lib/proc';
import { redisEnv, startRedis } from './lib/redis';
import { copyAppBuild, ensurePeerBuild, ROOT, startNext, startSimulator } from './lib/servers';
import { target, type VariantId } from './lib/variants';

const { values } = parseArgs({
  options: {
    variant: { type: 'string', default: 'app' },
    concurrency: { type: 'string', default: '50' },
    tokens: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '10' },
    top: { type: 'string', default: '30' },
    open: { type: 'string' },
    rate: { type: 'string', default: '200' },
    delay: { type: 'string', default: '0' },
    redis: { type: 'boolean', default: false },
    mirror: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const variant = values.variant as VariantId;
const concurrency = Number(values.concurrency);
const tokens = Number(values.tokens);
const withRedis = values.redis || values.mirror;
if (withRedis && variant !== 'app') {
  console.error('--redis and --mirror are for --variant=app');
  process.exit(2);
}

function where(url: string): string {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.includes('/.next/server/chunks/') || url.includes('/.next/server/app/'))
    return 'app bundle';
  return path.basename(url);
}

async function main() {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'streamchat-profile-'));
  const profDir = path.join(workDir, 'prof');
  mkdirSync(profDir);
  try {
    const simulator = await startSimulator(workDir);
    const dir =
      variant === 'app' ? copyAppBuild(workDir, console.log) : ensurePeerBuild(console.log);
    const shared = withRedis ? redisEnv(await startRedis(workDir)) : {};
    const server = await startNext(
      variant,
      dir,
      simulator,
      workDir,
      // The peers have no SIGTERM handler of their own: let Next exit (and write the profile).
      variant === 'app' ? { SHUTDOWN_GRACE_MS: '0', ...shared } : { NEXT_MANUAL_SIG_HANDLE: '' },
      variant === 'app' ? '/api/models' : '/',
      ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
    );
    // --mirror: the instance that generates the replies, not profiled.
    const owner = values.mirror
      ? await startNext(
          'owner',
          dir,
          simulator,
          workDir,
          { SHUTDOWN_GRACE_MS: '0', ...shared },
          '/api/models',
        )
      : undefined;
    const prompt = `[[tokens:${tokens}]] [[delay:${values.delay}]] profile`;
    const t = target(variant, server.port, prompt);
    /** One reply through the profiled server: relayed by it, or (--mirror) followed on it. */
    const reply = async (options: StreamOptions): Promise<StreamResult> => {
      if (!owner) return streamReply(t, options);
      const res = await fetch(`${owner.url}/api/chat`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: prompt }] }),
        signal: AbortSignal.timeout(30_000),
      });
      const { streamUrl } = (await res.json()) as { streamUrl: string };
      return streamReply({ ...t, method: 'GET', path: streamUrl, body: '' }, options);
    };
    let delivered = 0;
    const cpu0 = cpuMicros(server.pid);
    // The window to analyse, on CLOCK_MONOTONIC in µs: the clock of V8's profile timestamps.
    const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
    let windowStart = monotonicUs();
    let windowEnd = Infinity;
    let cpuUs: number;
    let count: number;
    let what: string;
    if (values.open) {
      const n = Number(values.open);
      const rate = Number(values.rate);
      const results = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          await sleep((i * 1000) / rate);
          return reply({ timeoutMs: 300_000 });
        }),
      );
      cpuUs = cpuMicros(server.pid) - cpu0;
      windowEnd = monotonicUs();
      count = results.reduce((a, r) => a + r.tokens, 0);
      const headers = results.map((r) => (r.headersAt ?? NaN) - r.startedAt).sort((a, b) => a - b);
      what =
        `${n} replies of ${tokens} tokens at ${values.delay} ms/token opened at ${rate}/s; ` +
        `${results.filter((r) => r.ok).length} ok; response headers after p50 ` +
        `${Math.round(headers[Math.floor(n / 2)]!)} ms, max ${Math.round(headers[n - 1]!)} ms`;
    } else {
      let running = true;
      const stop = new AbortController();
      setMaxListeners(0, stop.signal);
      const clients = Array.from({ length: concurrency }, async () => {
        while (running) {
          await reply({
            timeoutMs: 120_000,
            signal: stop.signal,
            onTokens: (n) => void (delivered += n),
          });
        }
      });
      await sleep(2_000);
      const windowCpu0 = cpuMicros(server.pid);
      windowStart = monotonicUs();
      const tokens0 = delivered;
      await sleep(Number(values.seconds) * 1000);
      cpuUs = cpuMicros(server.pid) - windowCpu0;
      windowEnd = monotonicUs();
      count = delivered - tokens0;
      running = false;
      stop.abort();
      await Promise.all(clients);
      what = `${concurrency} concurrent ${tokens}-token replies; ${count} tokens in ${values.seconds} s`;
    }
    await server.stop();
    await owner?.stop();
    await simulator.stop();

    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile was written');
    const outDir = path.resolve(values.out ?? path.join(ROOT, 'bench', 'results', 'profile'));
    mkdirSync(outDir, { recursive: true });
    const name = values.mirror ? `${variant}-mirror` : withRedis ? `${variant}-redis` : variant;
    const out = path.join(outDir, `${name}.cpuprofile`);
    renameSync(path.join(profDir, file), out);

    const profile = JSON.parse(readFileSync(out, 'utf8')) as CpuProfile;
    const self = new Map<number, number>();
    // Only the samples taken during the measured window (not start-up, warm-up or shutdown).
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      at += delta;
      if (at >= windowStart && at <= windowEnd) self.set(id, (self.get(id) ?? 0) + delta);
    });
    if (self.size === 0) throw new Error('no profile sample fell in the window (clock mismatch?)');
    const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
    // Bundles are minified: show the code where each function starts, to recognise it.
    const sources = new Map<string, string[]>();
    const snippet = (url: string, line: number, column: number): string => {
      if (!url.startsWith('file://')) return '';
      let lines = sources.get(url);
      if (!lines) {
        try {
          lines = readFileSync(new URL(url), 'utf8').split('\n');
        } catch {
          lines = [];
        }
        sources.set(url, lines);
      }
      const text = lines[line]?.slice(column, column + 90) ?? '';
      return text ? `  ⟨${text.replace(/\s+/g, ' ')}⟩` : '';
    };
    const byFn = new Map<string, number>();
    const byPkg = new Map<string, number>();
    let total = 0;
    for (const [id, us] of self) {
      const { functionName, url, lineNumber, columnNumber } = byNode.get(id)!.callFrame;
      if (functionName === '(idle)') continue;
      total += us;
      const inBundle = where(url) === 'app bundle' || where(url) === 'next';
      const key =
        `${functionName || '(anonymous)'}  ${where(url)}${url ? `:${lineNumber + 1}:${columnNumber + 1}` : ''}` +
        (inBundle ? snippet(url, lineNumber, columnNumber) : '');
      byFn.set(key, (byFn.get(key) ?? 0) + us);
      const pkg = functionName.startsWith('(') ? functionName : where(url);
      byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
    }
    const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
    console.log(
      `\n${name}: ${what}; ${(cpuUs / count).toFixed(2)} µs/token (under the profiler)\n`,
    );
    console.log('Self time by package:');
    for (const [k, us] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      console.log(`  ${pct(us)}  ${k}`);
    }
    console.log(`\nTop ${values.top} functions by self time:`);
    for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
      console.log(`  ${pct(us)}  ${k}`);
    }
    console.log(`\nprofile: ${path.relative(process.cwd(), out)}`);
  } finally {
    killAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

runScript(main);
