/**
 * Where the chat page spends its main thread while a long answer streams: a Chrome CPU profile
 * (DevTools protocol) of this app's page, or of the peer's react-markdown page, over one answer,
 * printed as the top functions by self time.
 *   npx tsx bench/render-profile.ts [--page=app|react-markdown] [--tokens=8000] [--delay=5]
 * The .cpuprofile is left in bench/results/profile/ (open it in Chrome DevTools).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from './lib/browser';
import type { CpuProfile } from './lib/cpuprofile';
import { killAll, runScript } from './lib/proc';
import { copyAppBuild, ensurePeerBuild, ROOT, startNext, startSimulator } from './lib/servers';

const { values } = parseArgs({
  options: {
    page: { type: 'string', default: 'app' },
    tokens: { type: 'string', default: '8000' },
    delay: { type: 'string', default: '5' },
    top: { type: 'string', default: '30' },
  },
});

async function main() {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'streamchat-render-profile-'));
  const browser = await launchChromium();
  try {
    const simulator = await startSimulator(workDir);
    const app = values.page === 'app';
    const server = await startNext(
      app ? 'app' : 'naive',
      app ? copyAppBuild(workDir, console.log) : ensurePeerBuild(console.log),
      simulator,
      workDir,
      {},
      app ? '/api/models' : '/',
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}${app ? '/' : '/markdown'}`, { waitUntil: 'networkidle' });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await page
      .getByRole('textbox', { name: 'Message' })
      .fill(`[[tokens:${values.tokens}]] [[delay:${values.delay}]]`);
    await cdp.send('Profiler.start');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForFunction(
      () => {
        const all = document.querySelectorAll('article[aria-label="Assistant"]');
        return all[all.length - 1]?.getAttribute('data-status') === 'done';
      },
      undefined,
      { timeout: Number(values.tokens) * Number(values.delay) * 4 + 60_000, polling: 500 },
    );
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
    await server.stop();
    await simulator.stop();

    const outDir = path.join(ROOT, 'bench', 'results', 'profile');
    mkdirSync(outDir, { recursive: true });
    const out = path.join(outDir, `page-${values.page}.cpuprofile`);
    writeFileSync(out, JSON.stringify(profile));

    const self = new Map<number, number>();
    profile.samples.forEach((id, i) =>
      self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
    );
    const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
    const byFn = new Map<string, number>();
    let busy = 0;
    let total = 0;
    for (const [id, us] of self) {
      const { functionName, url, lineNumber, columnNumber } = byNode.get(id)!.callFrame;
      total += us;
      if (functionName === '(idle)') continue;
      busy += us;
      const file = url ? path.basename(new URL(url).pathname) : '';
      const key = `${functionName || '(anonymous)'}  ${file}${url ? `:${lineNumber + 1}:${columnNumber + 1}` : ''}`;
      byFn.set(key, (byFn.get(key) ?? 0) + us);
    }
    console.log(
      `\n${values.page}: ${values.tokens} tokens at ${values.delay} ms; main thread busy ` +
        `${((100 * busy) / total).toFixed(0)} % of ${(total / 1e6).toFixed(1)} s\n`,
    );
    console.log(`Top ${values.top} functions by self time (share of busy time):`);
    for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
      console.log(`  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${k}`);
    }
    console.log(`\nprofile: ${path.relative(process.cwd(), out)}`);
  } finally {
    await browser.close();
    killAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

runScript(main);
