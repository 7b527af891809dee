/**
 * How an assistant reply renders, measured in Chromium against the production build:
 * - a long answer streams without main-thread tasks over 50 ms, and the work of one update at
 *   the end of the answer is about the same as at its start (it must not grow with the length);
 * - the page ships no highlighter or KaTeX before they are needed, within a JS budget;
 * - code blocks stream as code, then get highlighted and a working "Copy code" button; math
 *   renders with KaTeX; half-written markdown does not flash raw syntax.
 *
 * Time is measured as main-thread CPU time, from a Chromium trace (each task's thread time),
 * rather than wall time: on a busy machine (CI runs two test workers on two cores) wall time
 * stretches every task several-fold, and an assertion on it fails at random. CPU time is what
 * the renderer costs. The page's own PerformanceObserver for long tasks (wall time) is reported
 * too, for comparison.
 */
import { expect, test } from '@playwright/test';
import { longAnswer } from '../../lib/simulator/content';
import { ChatPage } from '../support/chat-page';
import { pdfWithText } from '../support/files';

/** Runs in the page before its scripts: records long tasks (wall time) as the page sees them. */
function observeLongTasks() {
  const longTasks: number[] = [];
  (window as unknown as { __longTasks: number[] }).__longTasks = longTasks;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (performance.getEntriesByName('render-perf:start').length > 0) {
        longTasks.push(Math.round(e.duration));
      }
    }
  }).observe({ type: 'longtask', buffered: true });
}

/** Resolves with the last reply's status once it no longer streams (a MutationObserver waits). */
function whenDone(timeoutMs: number): Promise<string> {
  const status = () =>
    [...document.querySelectorAll('article[aria-label="Assistant"]')]
      .at(-1)
      ?.getAttribute('data-status');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the reply did not finish')), timeoutMs);
    const check = () => {
      const now = status();
      if (now === undefined || now === null || now === 'streaming') return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(now);
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
    check();
  });
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
}
interface Task {
  /** ms after the start mark */
  at: number;
  wall: number;
  cpu: number;
}

/**
 * The page's main-thread tasks between the `render-perf:start` and `render-perf:done` marks,
 * and among them the animation frames (the tasks that ran requestAnimationFrame callbacks: the
 * chat flushes the stream there, and React renders and commits in the same task).
 */
function mainThreadTasks(trace: Buffer): { tasks: Task[]; frames: Task[] } {
  const events = (JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] }).traceEvents;
  const mark = (name: string) => events.find((e) => e.name === name)!;
  const start = mark('render-perf:start');
  const end = mark('render-perf:done');
  const onMain = (e: TraceEvent) =>
    e.pid === start.pid && e.tid === start.tid && e.ts >= start.ts && e.ts <= end.ts;
  // Tasks that ended before the done mark: the one that takes it is the test's own evaluate
  // (Playwright's script, and the style work it flushes), not the page's.
  const runTasks = events
    .filter(
      (e) => e.name === 'RunTask' && e.ph === 'X' && onMain(e) && e.ts + (e.dur ?? 0) <= end.ts,
    )
    .sort((a, b) => a.ts - b.ts);
  const toTask = (e: TraceEvent): Task => ({
    at: (e.ts - start.ts) / 1000,
    wall: (e.dur ?? 0) / 1000,
    cpu: (e.tdur ?? e.dur ?? 0) / 1000,
  });
  const frames = new Set<TraceEvent>();
  for (const f of events.filter((e) => e.name === 'FireAnimationFrame' && onMain(e))) {
    // The enclosing task: the last one that started before it (tasks don't overlap).
    let lo = 0;
    let hi = runTasks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runTasks[mid]!.ts <= f.ts) lo = mid;
      else hi = mid - 1;
    }
    const task = runTasks[lo];
    if (task && task.ts <= f.ts && f.ts <= task.ts + (task.dur ?? 0)) frames.add(task);
  }
  return { tasks: runTasks.map(toTask), frames: [...frames].map(toTask) };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Below this much CPU per frame (a quarter of a 60 Hz frame), a median is noise on a loaded
 * 2-core machine: the compare spec's first-quarter median was 2.5, 8 and 18.6 ms in three CI
 * runs of the same code, its last-quarter one 5.1–11.1 ms. A cost that grows with the answer
 * (re-parsing all of it at each update) is far above twice this by the last quarter, and the
 * parse count of the first spec catches it on its own.
 */
const NOISE_FLOOR_MS = 4;

// Playwright's trace recorder snapshots the whole DOM around each action: on a long answer one
// main-thread task of 60–70 ms, which is the test measuring itself (a CPU profile shows
// Playwright's `captureSnapshot`/`visitNode`, no code of the page).
test.use({ trace: 'off' });

test('a long answer streams without long tasks, at a cost per update that does not grow', async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  await page.addInitScript(observeLongTasks);
  const chat = new ChatPage(page);
  await chat.goto(process.env.APP_URL!);
  await browser.startTracing(page, {
    categories: ['disabled-by-default-devtools.timeline', 'devtools.timeline', 'blink.user_timing'],
  });
  await page.evaluate(() => performance.mark('render-perf:start'));
  const parsed = () =>
    page.evaluate(
      () =>
        (window as unknown as { __streamchatMarkdown?: { parsedChars: number } })
          .__streamchatMarkdown?.parsedChars ?? 0,
    );
  const parsedBefore = await parsed();
  await chat.ask('[[tokens:3000]] [[delay:3]]');
  // Wait inside the page: polling a role locator from the test would evaluate it on the page's
  // main thread every few frames, costing tens of milliseconds on a long answer: long tasks
  // that the test itself would cause.
  expect(await page.evaluate(whenDone, 60_000)).toBe('done');
  await page.evaluate(() => performance.mark('render-perf:done'));
  const { tasks, frames } = mainThreadTasks(await browser.stopTracing());
  const parsedChars = (await parsed()) - parsedBefore;
  const markdownChars = longAnswer(3000).join('').length;
  const longTasks = await page.evaluate(
    () => (window as unknown as { __longTasks: number[] }).__longTasks,
  );

  // The trace saw the stream: about 60 frames a second unless rendering falls behind.
  expect(frames.length, 'animation frames seen while streaming').toBeGreaterThan(40);
  const first = frames[0]!.at;
  const span = frames.at(-1)!.at - first;
  const stats = [0, 1, 2, 3].map((i) => {
    const cpu = frames
      .filter((f) => f.at >= first + (i * span) / 4 && f.at <= first + ((i + 1) * span) / 4)
      .map((f) => f.cpu);
    return {
      frames: cpu.length,
      median: round(quantile(cpu, 0.5)),
      p90: round(quantile(cpu, 0.9)),
      max: round(Math.max(...cpu)),
    };
  });
  const long = tasks.filter((t) => t.cpu > 50);
  // textContent: innerText leaves out blocks the browser skips off screen (content-visibility).
  const text = (await chat.answer().getByTestId('assistant-text').textContent()) ?? '';
  console.log(
    `render-perf: ${text.length} chars streamed in ${Math.round(span)} ms, ${frames.length} frames; ` +
      `main-thread CPU per frame (ms) by quarter of the answer:\n` +
      stats.map((s, i) => `  quarter ${i + 1}: ${JSON.stringify(s)}`).join('\n') +
      `\n  tasks over 50 ms CPU: ${JSON.stringify(long.map((t) => round(t.cpu)))}` +
      `; longest task ${round(Math.max(...tasks.map((t) => t.cpu)))} ms CPU, ` +
      `${round(Math.max(...tasks.map((t) => t.wall)))} ms wall` +
      `\n  long tasks seen by the page (wall time, ms): ${JSON.stringify(longTasks)}`,
  );

  // (a) Nothing blocks the main thread long enough to drop input or several frames.
  expect(long, 'main-thread tasks over 50 ms CPU').toEqual([]);
  // (b) The answer grew about sevenfold from the first quarter to the last; the work per frame
  // must not. (It still grows a little: the browser's layout and paint of a longer page, about
  // 1 ms; the script part stays flat.) Below NOISE_FLOOR_MS, noise dominates, hence the floor;
  // the 90th percentile, from fewer frames and hit by garbage collection, gets more room.
  const [q1, , , q4] = stats as [(typeof stats)[0], unknown, unknown, (typeof stats)[0]];
  expect(q4.median, 'median CPU per frame, last quarter vs first').toBeLessThanOrEqual(
    2 * Math.max(q1.median, NOISE_FLOOR_MS),
  );
  expect(q4.p90, '90th percentile CPU per frame, last quarter vs first').toBeLessThanOrEqual(
    2.5 * Math.max(q1.p90, NOISE_FLOOR_MS),
  );
  // (c) Finished blocks are not parsed again: the parser saw at most three times the answer
  // (the question's few characters included), the growing last block being parsed at each update.
  console.log(`render-perf: parsed ${parsedChars} characters for an answer of ${markdownChars}`);
  expect(parsedChars, 'characters handed to the markdown parser').toBeGreaterThan(markdownChars);
  expect(parsedChars).toBeLessThanOrEqual(3 * markdownChars);
});

/** Resolves once no reply on the page streams any more (a MutationObserver waits). */
function whenNoneStreaming(timeoutMs: number): Promise<number> {
  const streaming = () =>
    document.querySelectorAll('article[aria-label="Assistant"][data-status="streaming"]').length;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the replies did not finish')), timeoutMs);
    const check = () => {
      if (streaming() > 0) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(document.querySelectorAll('article[aria-label="Assistant"]').length);
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, {
      subtree: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
    check();
  });
}

test('two answers streaming side by side (compare) cost per frame what they cost at the start', async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const chat = new ChatPage(page);
  await chat.goto(process.env.APP_URL!);
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await browser.startTracing(page, {
    categories: ['disabled-by-default-devtools.timeline', 'devtools.timeline', 'blink.user_timing'],
  });
  await page.evaluate(() => performance.mark('render-perf:start'));
  await chat.ask('[[tokens:1500]] [[delay:4]]');
  await expect(page.getByRole('region', { name: 'Compare answers' })).toBeVisible();
  expect(await page.evaluate(whenNoneStreaming, 60_000)).toBe(2);
  await page.evaluate(() => performance.mark('render-perf:done'));
  const { tasks, frames } = mainThreadTasks(await browser.stopTracing());
  expect(frames.length, 'animation frames seen while streaming').toBeGreaterThan(40);
  const first = frames[0]!.at;
  const span = frames.at(-1)!.at - first;
  const quarter = (i: number) =>
    frames
      .filter((f) => f.at >= first + (i * span) / 4 && f.at <= first + ((i + 1) * span) / 4)
      .map((f) => f.cpu);
  const q1 = round(quantile(quarter(0), 0.5));
  const q4 = round(quantile(quarter(3), 0.5));
  const long = tasks.filter((t) => t.cpu > 50);
  console.log(
    `render-perf (compare): ${frames.length} frames over ${Math.round(span)} ms; median CPU per ` +
      `frame ${q1} ms in the first quarter, ${q4} ms in the last; tasks over 50 ms CPU: ` +
      JSON.stringify(long.map((t) => round(t.cpu))),
  );
  expect(long, 'main-thread tasks over 50 ms CPU').toEqual([]);
  expect(q4, 'median CPU per frame, last quarter vs first').toBeLessThanOrEqual(
    2 * Math.max(q1, NOISE_FLOOR_MS),
  );
});

/** Markers of the heavy parts, found in their code: KaTeX, and Shiki (highlighter + grammars). */
const KATEX = 'KaTeX parse error';
const SHIKI = 'ShikiError';
/** In PDF.js, and in the code that makes attachments ready (a refusal's key, only there). */
const PDFJS = 'Setting up fake worker failed';
const PREPARE = 'attachments.unreadableImage';

test('the page ships no highlighter, KaTeX or attachment code until needed, within its JS budget', async ({
  page,
}) => {
  const scripts: Promise<{ url: string; bytes: number; body: string }>[] = [];
  page.on('requestfinished', (request) => {
    if (!/\.m?js(\?|$)/.test(request.url())) return;
    scripts.push(
      (async () => ({
        url: request.url(),
        bytes: (await request.sizes()).responseBodySize,
        body: (await (await request.response())!.text()) ?? '',
      }))(),
    );
  });
  const chat = new ChatPage(page);
  await chat.goto(process.env.APP_URL!);
  await page.waitForLoadState('networkidle');
  const initial = await Promise.all(scripts);
  const total = initial.reduce((sum, s) => sum + s.bytes, 0);
  console.log(
    `render-perf: initial JS ${initial.length} files, ${Math.round(total / 1024)} KB compressed: ` +
      initial.map((s) => `${s.url.split('/').pop()} ${Math.round(s.bytes / 1024)} KB`).join(', '),
  );
  // The budget: 200 KB. zod (import validation) and the highlighter load only when needed; the
  // markdown renderer (react-markdown + GFM + block splitter) is about 43 KB of it.
  expect(total, 'compressed JS before the first reply').toBeLessThanOrEqual(200 * 1024);
  expect(initial.filter((s) => s.body.includes(KATEX)).map((s) => s.url)).toEqual([]);
  expect(initial.filter((s) => s.body.includes(SHIKI)).map((s) => s.url)).toEqual([]);
  for (const marker of [PDFJS, PREPARE]) {
    expect(initial.filter((s) => s.body.includes(marker)).map((s) => s.url)).toEqual([]);
  }

  // A reply with code and math loads them (which also shows the markers above are real).
  await chat.ask('[[echo]] [[delay:0]] Math $x^2$ and code:\n\n```ts\nconst a = 1;\n```\n');
  await chat.waitForStatus('done');
  await expect(chat.answer().locator('.katex').first()).toBeVisible();
  await expect(chat.answer().locator('pre code span[style*="color"]').first()).toBeVisible();
  const later = (await Promise.all(scripts)).slice(initial.length);
  expect(
    later.some((s) => s.body.includes(KATEX)),
    'KaTeX was loaded on demand',
  ).toBe(true);
  expect(
    later.some((s) => s.body.includes(SHIKI)),
    'Shiki was loaded on demand',
  ).toBe(true);

  // Attaching a PDF loads what reads it.
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Attach files' }).click(),
  ]);
  await chooser.setFiles({
    name: 'brief.pdf',
    mimeType: 'application/pdf',
    buffer: pdfWithText(['A brief']),
  });
  const attached = page.locator('form').getByRole('list', { name: 'Attachments' });
  await expect(attached.getByRole('listitem')).toContainText(/brief\.pdf\s*\d+ B/);
  const withPdf = (await Promise.all(scripts)).slice(initial.length);
  for (const marker of [PDFJS, PREPARE]) {
    expect(
      withPdf.some((s) => s.body.includes(marker)),
      `${marker}: loaded on use`,
    ).toBe(true);
  }
});

test('half-written markdown never shows raw syntax while it streams', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(process.env.APP_URL!);
  // Record what a person sees after every DOM update of the answer.
  await page.evaluate(() => {
    const seen: { text: string; code: string; streaming: boolean }[] = [];
    (window as unknown as { __seen: typeof seen }).__seen = seen;
    new MutationObserver(() => {
      const answer = [...document.querySelectorAll('article[aria-label="Assistant"]')].at(-1);
      const text = answer?.querySelector<HTMLElement>('[data-testid="assistant-text"]');
      if (!answer || !text) return;
      seen.push({
        text: text.innerText,
        code: [...text.querySelectorAll('pre code')].map((c) => c.textContent).join('\n'),
        streaming: answer.getAttribute('data-status') === 'streaming',
      });
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await chat.ask(
    '[[echo]] [[delay:80]] Before **this part is bold** and `inline code` and ' +
      '[the docs](https://example.com/docs) and ~~struck~~.\n\n' +
      '```ts\nconst a = 1;\n\nconst b = 2;\n```\n\nAfter.',
  );
  await chat.waitForStatus('done');
  const seen = await page.evaluate(
    () =>
      (window as unknown as { __seen: { text: string; code: string; streaming: boolean }[] })
        .__seen,
  );
  const streaming = seen.filter((s) => s.streaming && s.text);
  // It was seen growing (about 25 tokens; a busy machine batches some of them per frame).
  expect(streaming.length, 'updates seen while streaming').toBeGreaterThanOrEqual(5);
  for (const { text, code } of streaming) {
    expect(text, 'no raw markers').not.toMatch(/\*\*|`|\]\(|\[|~~/);
    // Code is in a code block from its first line on, also across the blank line in it.
    for (const [line] of text.matchAll(/const[^\n]*/g)) expect(code).toContain(line);
  }
  await expect(chat.answer().locator('strong')).toHaveText('this part is bold');
  await expect(chat.answer().getByRole('link', { name: 'the docs' })).toHaveAttribute(
    'href',
    'https://example.com/docs',
  );
});

test('a code block is highlighted once complete and its "Copy code" button copies it', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const chat = new ChatPage(page);
  await chat.goto(process.env.APP_URL!);
  const code = 'def greet(name):\n    return f"Hello, {name}!"\n\nprint(greet("world"))';
  await chat.ask(`[[echo]] [[delay:0]] Python:\n\n\`\`\`python\n${code}\n\`\`\`\n`);
  await chat.waitForStatus('done');
  const block = chat.answer().locator('pre code');
  await expect(block).toHaveText(code);
  await expect(block.locator('span[style*="color"]').first()).toBeVisible();
  await chat.answer().getByRole('button', { name: 'Copy code' }).click();
  await expect(chat.answer().getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
});

test('math renders with KaTeX; prices are not math', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(process.env.APP_URL!);
  await chat.ask(
    '[[echo]] [[delay:0]] Euler: $e^{i\\pi} + 1 = 0$.\n\n$$\n\\int_0^1 x\\,dx = \\frac{1}{2}\n$$\n\n' +
      'It costs $5 and $10.',
  );
  await chat.waitForStatus('done');
  const answer = chat.answer();
  await expect(answer.locator('.katex-display')).toHaveCount(1);
  await expect(answer.locator('.katex')).toHaveCount(2);
  // KaTeX's stylesheet came with it.
  expect(
    await answer
      .locator('.katex')
      .first()
      .evaluate((el) => getComputedStyle(el).fontFamily),
  ).toContain('KaTeX_Main');
  await expect(answer.getByText('It costs $5 and $10.')).toBeVisible();
});
