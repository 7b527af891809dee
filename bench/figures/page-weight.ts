/**
 * Figure 6, page weight: the JavaScript a browser downloads (compressed, as sent with
 * Accept-Encoding gzip/br) to load the chat page before the first reply, and the time until the
 * composer is interactive (React has hydrated the textbox and no long task is left), for this
 * app and, for scale, the peer's plain react-markdown page.
 */
import { launchChromium, openProbedPage, type Probe } from '../lib/browser';
import { sharedVariant, type Context } from '../lib/context';
import { round } from '../lib/stats';

export interface PageWeightRow {
  variant: 'app' | 'react-markdown';
  jsKiB: number;
  jsFiles: number;
  transferKiB: number;
  ttiMs: number;
  domContentLoadedMs: number;
}

export async function pageWeightFigure(ctx: Context): Promise<PageWeightRow[]> {
  const browser = await launchChromium();
  const rows: PageWeightRow[] = [];
  try {
    for (const variant of ['app', 'react-markdown'] as const) {
      const server = await sharedVariant(ctx, variant === 'app' ? 'app' : 'naive');
      {
        const url = variant === 'app' ? `${server.url}/` : `${server.url}/markdown`;
        // A first visit warms the server (compiled routes, caches); the later ones are measured.
        const samples: PageWeightRow[] = [];
        for (let i = 0; i < (ctx.mode === 'full' ? 3 : 2); i++) {
          const context = await browser.newContext();
          try {
            const page = await openProbedPage(context, url);
            await page.waitForTimeout(500);
            const m = await page.evaluate(() => {
              const probe = (window as unknown as { __benchProbe: Probe }).__benchProbe;
              const scripts = performance
                .getEntriesByType('resource')
                .filter((e) =>
                  new URL(e.name).pathname.endsWith('.js'),
                ) as PerformanceResourceTiming[];
              const nav = performance.getEntriesByType(
                'navigation',
              )[0] as PerformanceNavigationTiming;
              const lastLong = probe.longTasks.reduce(
                (a, t) => Math.max(a, t.start + t.duration),
                0,
              );
              return {
                js: scripts.reduce((a, e) => a + e.encodedBodySize, 0),
                transfer: scripts.reduce((a, e) => a + e.transferSize, 0),
                files: scripts.length,
                tti: Math.max(probe.hydratedAt ?? NaN, lastLong, nav.domContentLoadedEventEnd),
                dcl: nav.domContentLoadedEventEnd,
              };
            });
            samples.push({
              variant,
              jsKiB: round(m.js / 1024, 1),
              jsFiles: m.files,
              transferKiB: round(m.transfer / 1024, 1),
              ttiMs: round(m.tti, 0),
              domContentLoadedMs: round(m.dcl, 0),
            });
          } finally {
            await context.close();
          }
        }
        // The median visit of the warm ones.
        const warm = samples.slice(1).sort((a, b) => a.ttiMs - b.ttiMs);
        const row = warm[Math.floor((warm.length - 1) / 2)]!;
        if (row.jsFiles === 0 || !Number.isFinite(row.ttiMs)) {
          throw new Error(`page weight: no script or no interactivity measured for ${variant}`);
        }
        rows.push(row);
        ctx.log(
          `  page ${variant}: ${row.jsKiB} KiB JS (${row.jsFiles} files), TTI ${row.ttiMs} ms`,
        );
      }
    }
  } finally {
    await browser.close();
  }
  return rows;
}
