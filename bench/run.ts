/**
 * `npm run bench` (about 12 minutes), `npm run bench -- --quick` (about 3), `npm run bench:smoke`
 * (seconds, for CI): measures this app against the upstream itself, a naive relay and the
 * Vercel AI SDK, and writes bench/results/ (JSON, Markdown table, SVG chart). Goals are reported,
 * not enforced; a measurement that cannot be taken (a reply that fails where none should, a
 * server that does not start) fails the run.
 *   --only=ttft,cpu,sweep,backpressure,stalled,scale,render,pageweight   run some figures
 *   --out=DIR                                                      write elsewhere
 *   --rerender                  rewrite results.md and .svg from results.json (no measuring)
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SIZES, stopShared, type Context, type Mode } from './lib/context';
import { killAll } from './lib/proc';
import { copyAppBuild, ensurePeerBuild, ROOT, startSimulator } from './lib/servers';
import { rerender, writeReport, type Results } from './lib/report';
import { ttftFigure } from './figures/ttft';
import { longContextFigure } from './figures/long-context';
import { cpuFigure } from './figures/cpu';
import { sweepFigure } from './figures/concurrency';
import { backpressureFigure } from './figures/backpressure';
import { stalledFigure } from './figures/stalled';
import { scaleFigure } from './figures/scale';
import { renderFigure } from './figures/render';
import { pageWeightFigure } from './figures/page-weight';

const FIGURES = [
  'ttft',
  'cpu',
  'sweep',
  'backpressure',
  'stalled',
  'scale',
  'render',
  'pageweight',
] as const;
type Figure = (typeof FIGURES)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
    rerender: { type: 'boolean', default: false },
  },
});

const mode: Mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
const only = new Set<Figure>(
  values.only ? (values.only.split(',').map((s) => s.trim()) as Figure[]) : FIGURES,
);
for (const f of only) {
  if (!FIGURES.includes(f)) {
    console.error(`unknown figure "${f}"; one of ${FIGURES.join(', ')}`);
    process.exit(2);
  }
}
const outDir = path.resolve(
  values.out ?? path.join(ROOT, 'bench', 'results', mode === 'full' ? '' : mode),
);

if (values.rerender) {
  console.log(rerender(outDir));
  process.exit(0);
}

const startedAt = Date.now();
const log = (message: string) =>
  console.log(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(3)}s] ${message}`);

const workDir = mkdtempSync(path.join(os.tmpdir(), 'streamchat-bench-'));
const cleanup = () => {
  killAll();
  rmSync(workDir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}
// Everything stops by itself: a hung run is ended, never left behind.
const hardLimitMs = { full: 20, quick: 8, smoke: 5 }[mode] * 60_000;
setTimeout(() => {
  console.error(`bench: still running after ${hardLimitMs / 60_000} min; giving up`);
  cleanup();
  process.exit(1);
}, hardLimitMs).unref();

async function main(): Promise<void> {
  log(`mode ${mode}; work dir ${workDir}`);
  const appDir = copyAppBuild(workDir, log);
  const peerDir = ensurePeerBuild(log);
  const simulator = await startSimulator(workDir);
  const ctx: Context = {
    mode,
    sizes: SIZES[mode],
    workDir,
    simulator,
    appDir,
    peerDir,
    log,
    shared: new Map(),
  };
  const results: Results = { mode, startedAt: new Date(startedAt).toISOString() };
  const run = async <K extends keyof Results>(
    figure: Figure,
    key: K,
    fn: () => Promise<Results[K]>,
  ) => {
    if (!only.has(figure)) return;
    log(`${figure}…`);
    const t = Date.now();
    results[key] = await fn();
    log(`${figure} done in ${Math.round((Date.now() - t) / 1000)} s`);
  };
  // Memory figures first, on fresh servers; then the ones that share servers.
  await run('sweep', 'sweep', () => sweepFigure(ctx));
  await run('backpressure', 'backpressure', () => backpressureFigure(ctx));
  await run('stalled', 'stalled', () => stalledFigure(ctx));
  // Its own servers (redis-server, two instances, the in-memory app), before the shared ones.
  await run('scale', 'scale', () => scaleFigure(ctx));
  await run('ttft', 'ttft', () => ttftFigure(ctx));
  await run('ttft', 'longContext', () => longContextFigure(ctx));
  await run('cpu', 'cpu', () => cpuFigure(ctx));
  await run('pageweight', 'pageWeight', () => pageWeightFigure(ctx));
  await run('render', 'render', () => renderFigure(ctx));
  await stopShared(ctx);
  await simulator.stop();
  results.durationS = Math.round((Date.now() - startedAt) / 1000);
  mkdirSync(outDir, { recursive: true });
  const table = writeReport(results, SIZES[mode], outDir);
  console.log('\n' + table);
  log(`wrote ${path.relative(process.cwd(), outDir) || '.'}/results.{json,md,svg}`);
}

main().then(
  () => {
    cleanup();
    process.exit(0);
  },
  (error: unknown) => {
    console.error('bench failed:', error instanceof Error ? error.stack : error);
    cleanup();
    process.exit(1);
  },
);
