/**
 * Figure 5, rendering in Chromium: a long markdown answer (prose, lists, tables, code) streamed
 * at 200 tokens/s through this app's UI, and the same answer through a plain react-markdown
 * component that re-renders the whole text per update (the peer app's /markdown page, fed by
 * the naive relay). Measured in the page (see PROBE): long tasks, main-thread work per update,
 * and how that work grows from the first quarter of the stream to the last.
 */
import type { Browser } from '@playwright/test';
import { longAnswer } from '../../lib/simulator/content';
import { launchChromium, openProbedPage, type Probe } from '../lib/browser';
import { sharedVariant, type Context } from '../lib/context';
import { quantile, round, sum } from '../lib/stats';

export interface RenderRow {
  variant: 'app' | 'react-markdown';
  tokens: number;
  finalChars: number;
  streamMs: number;
  updates: number;
  longTasks: number;
  longestTaskMs: number | null;
  maxUpdateMs: number;
  p50UpdateMs: number;
  p95UpdateMs: number;
  /** Characters handed to the markdown parser ÷ final length; null where not observable. */
  parsedRatio: number | null;
  /** Mean main-thread work per update in the last quarter of the stream ÷ in the first. */
  lastToFirstQuarter: number;
  /** JavaScript fetched after the page was ready (loaded on demand, workers included), KiB. */
  onDemandJsKiB: number;
}

export async function renderFigure(ctx: Context): Promise<RenderRow[]> {
  const { tokens, delayMs } = ctx.sizes.render;
  const finalChars = longAnswer(tokens).join('').length;
  const browser = await launchChromium();
  const rows: RenderRow[] = [];
  try {
    for (const variant of ['app', 'react-markdown'] as const) {
      const server = await sharedVariant(ctx, variant === 'app' ? 'app' : 'naive');
      {
        const url = variant === 'app' ? `${server.url}/` : `${server.url}/markdown`;
        rows.push(await measure(browser, url, variant, tokens, delayMs, finalChars));
        const r = rows.at(-1)!;
        ctx.log(
          `  render ${variant}: longest task ${r.longestTaskMs ?? '<50'} ms, p95 ${r.p95UpdateMs} ms/update, ` +
            `last/first quarter ${r.lastToFirstQuarter}, parsed ${r.parsedRatio ?? '?'}×`,
        );
      }
    }
  } finally {
    await browser.close();
  }
  return rows;
}

async function measure(
  browser: Browser,
  url: string,
  variant: RenderRow['variant'],
  tokens: number,
  delayMs: number,
  finalChars: number,
): Promise<RenderRow> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await openProbedPage(context, url);
    // JavaScript fetched from here on, by the page or its workers (encoded bytes on the wire).
    const onDemand: import('@playwright/test').Request[] = [];
    page.context().on('requestfinished', (request) => {
      if (new URL(request.url()).pathname.endsWith('.js')) onDemand.push(request);
    });
    await page
      .getByRole('textbox', { name: 'Message' })
      .fill(`[[tokens:${tokens}]] [[delay:${delayMs}]]`);
    const sentAt = await page.evaluate(() => performance.now());
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.getByRole('article', { name: 'Assistant' }).last();
    await answer.waitFor({ timeout: 30_000 });
    const timeout = tokens * delayMs * 4 + 60_000;
    await page.waitForFunction(
      () => {
        const all = document.querySelectorAll('article[aria-label="Assistant"]');
        return all[all.length - 1]?.getAttribute('data-status') === 'done';
      },
      undefined,
      { timeout, polling: 500 },
    );
    const probe = await page.evaluate(
      () => (window as unknown as { __benchProbe: Probe }).__benchProbe,
    );
    const parsedChars = await page.evaluate(() => {
      const w = window as unknown as {
        __benchMarkdown?: { parsedChars: number };
        __streamchatMarkdown?: { parsedChars: number };
      };
      return (w.__benchMarkdown ?? w.__streamchatMarkdown)?.parsedChars ?? null;
    });
    let onDemandBytes = 0;
    for (const request of onDemand) onDemandBytes += (await request.sizes()).responseBodySize;
    const shown = (await answer.textContent())?.length ?? 0;
    if (shown < finalChars * 0.5) {
      throw new Error(`render: ${variant} shows ${shown} characters of an answer of ${finalChars}`);
    }
    const streamed = probe.updates.filter((u) => u.streaming && u.at >= sentAt);
    if (streamed.length < 10) {
      throw new Error(`render: the probe saw only ${streamed.length} updates of ${variant}`);
    }
    const first = streamed[0]!.at;
    const last = streamed.at(-1)!.at;
    const span = last - first;
    const work = streamed.map((u) => u.work);
    // Mean work per update in a quarter of the stream (by time): flat when an update costs the
    // same at the end of a long answer as at its start.
    const quarterWork = (i: number) => {
      const w = streamed
        .filter((u) => u.at >= first + (i * span) / 4 && u.at <= first + ((i + 1) * span) / 4)
        .map((u) => u.work);
      return sum(w) / Math.max(w.length, 1);
    };
    const during = probe.longTasks.filter((t) => t.start + t.duration >= first && t.start <= last);
    return {
      variant,
      tokens,
      finalChars,
      streamMs: round(span, 0),
      updates: streamed.length,
      longTasks: during.length,
      longestTaskMs: during.length ? round(Math.max(...during.map((t) => t.duration)), 0) : null,
      maxUpdateMs: round(Math.max(...work), 1),
      p50UpdateMs: round(quantile(work, 0.5), 2),
      p95UpdateMs: round(quantile(work, 0.95), 2),
      parsedRatio: parsedChars === null ? null : round(parsedChars / finalChars, 1),
      lastToFirstQuarter: round(quarterWork(3) / Math.max(quarterWork(0), 1e-6), 2),
      onDemandJsKiB: round(onDemandBytes / 1024, 1),
    };
  } finally {
    await context.close();
  }
}
