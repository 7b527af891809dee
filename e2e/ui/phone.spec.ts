/**
 * Phones while a reply streams: the screen is kept on (Screen Wake Lock, through a stub here:
 * headless Chromium may have none) and let go when the reply ends or the tab hides; before a
 * slow first token the reply says it waits, counts the seconds, then says the model is slow.
 */
import { expect, test, type Page } from '@playwright/test';
import { ChatPage, words } from '../support/chat-page';

const APP = () => process.env.APP_URL!;

type WakeLog = { __wakeLog: string[] };

/** A Screen Wake Lock that records what the page asks of it. */
function stubWakeLock() {
  const log: string[] = [];
  (window as unknown as WakeLog).__wakeLog = log;
  const wakeLock = {
    async request(type: string) {
      log.push(`request ${type}`);
      let released = false;
      const sentinel = Object.assign(new EventTarget(), {
        type,
        get released() {
          return released;
        },
        async release() {
          if (released) return;
          released = true;
          log.push('release');
          sentinel.dispatchEvent(new Event('release'));
        },
      });
      return sentinel;
    },
  };
  Object.defineProperty(Navigator.prototype, 'wakeLock', {
    configurable: true,
    get: () => wakeLock,
  });
}

const wakeLog = (page: Page) => page.evaluate(() => (window as unknown as WakeLog).__wakeLog);

function setHidden(page: Page, hidden: boolean) {
  return page.evaluate((hide) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hide });
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (hide ? 'hidden' : 'visible'),
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test('the screen is kept on while a reply streams, let go when it ends or the tab hides', async ({
  page,
}) => {
  test.slow(); // a 6 s reply, then a 12 s one
  await page.addInitScript(stubWakeLock);
  const chat = new ChatPage(page);
  await chat.goto(APP());
  expect(await wakeLog(page)).toEqual([]);

  await chat.ask(`[[echo]] [[delay:40]] ${words(150)}`);
  await expect.poll(() => wakeLog(page)).toEqual(['request screen']);
  await expect(chat.answer()).toHaveAttribute('data-status', 'streaming');
  await chat.waitForStatus('done');
  await expect.poll(() => wakeLog(page)).toEqual(['request screen', 'release']);

  // Hidden while streaming: let go; shown again while still streaming: asked again.
  await chat.ask(`[[echo]] [[delay:40]] ${words(300)}`);
  await expect.poll(() => wakeLog(page)).toHaveLength(3);
  await setHidden(page, true);
  await expect.poll(() => wakeLog(page)).toHaveLength(4);
  await setHidden(page, false);
  await expect.poll(() => wakeLog(page)).toHaveLength(5);
  await expect(chat.answer()).toHaveAttribute('data-status', 'streaming');
  await chat.waitForStatus('done');
  await expect
    .poll(() => wakeLog(page))
    .toEqual([
      'request screen',
      'release',
      'request screen',
      'release',
      'request screen',
      'release',
    ]);
});

test('where the browser has no wake lock, or refuses it, replies stream as ever', async ({
  page,
}) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'wakeLock', {
      configurable: true,
      get: () => ({
        request: () => Promise.reject(new DOMException('Refused', 'NotAllowedError')),
      }),
    });
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await chat.ask('[[delay:10]] still fine');
  await chat.waitForStatus('done');
  await expect(chat.answer().getByTestId('assistant-text')).toHaveText('Reply to: still fine');
  expect(errors).toEqual([]);
});

test('before a slow first token the reply shows it waits: the seconds, then that the model is slow to start', async ({
  page,
}) => {
  test.setTimeout(60_000);
  // SCALE_A waits up to a minute for a model's first byte (APP gives up after 2 s). It allows
  // few replies per client: this test is a client of its own.
  const octet = () => Math.floor(Math.random() * 250) + 1;
  await page.setExtraHTTPHeaders({ 'X-Forwarded-For': `10.79.${octet()}.${octet()}` });
  const chat = new ChatPage(page);
  await chat.goto(process.env.SCALE_A_URL!);
  await chat.ask('[[first-byte:12000]] [[delay:0]] Hello');
  const answer = chat.answer();
  await expect(answer.getByText('Thinking…', { exact: true })).toBeVisible();
  const counting = answer.getByText(/^Waiting for the model… \d+ s/);
  await expect(counting).toBeVisible({ timeout: 6_000 });
  const first = Number(/(\d+) s/.exec((await counting.textContent()) ?? '')![1]);
  expect(first).toBeGreaterThanOrEqual(3);
  await expect(counting).not.toHaveText(new RegExp(`… ${first} s`)); // it counts
  const hint = answer.getByText('This model is slow to start.', { exact: false });
  await expect(hint).toBeVisible({ timeout: 12_000 });
  expect(Number(/(\d+) s/.exec((await counting.textContent()) ?? '')![1])).toBeGreaterThanOrEqual(
    10,
  );
  await chat.waitForStatus('done');
  await expect(answer.getByTestId('assistant-text')).toHaveText('Reply to: Hello');
  await expect(counting).toHaveCount(0);
  await expect(hint).toHaveCount(0);
});

test.describe('a wide table on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true });

  test('scrolls sideways in its own box: every column can be reached, the page stays as wide as the screen', async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    const columns = Array.from({ length: 8 }, (_, i) => `Column ${i + 1}`);
    const table = [
      `| ${columns.join(' | ')} |`,
      `|${columns.map(() => ' --- ').join('|')}|`,
      `| ${columns.map((_, i) => `a long cell value ${i + 1}`).join(' | ')} |`,
    ].join('\n');
    await chat.askAndWait(`[[echo]] [[delay:0]] ${table}`);
    const box = chat.answer().locator('.table-scroll');
    await expect(box.locator('th')).toHaveCount(8);
    // The page does not scroll sideways; the table's box does.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    const { client, scroll } = await box.evaluate((el) => ({
      client: el.clientWidth,
      scroll: el.scrollWidth,
    }));
    expect(scroll).toBeGreaterThan(client);
    const last = box.locator('th').last();
    await expect(last).not.toBeInViewport();
    await box.evaluate((el) => el.scrollBy({ left: el.scrollWidth }));
    await expect(last).toBeInViewport();
    // Cells keep a readable width rather than a word per line.
    const width = await box
      .locator('td')
      .first()
      .evaluate((el) => el.getBoundingClientRect().width);
    expect(width).toBeGreaterThanOrEqual(7 * 16 - 1);
  });
});
