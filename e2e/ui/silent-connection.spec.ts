/**
 * A connection that stays open but goes silent (a phone that slept, a Wi-Fi to mobile hand-over,
 * an expired NAT entry) is noticed: through a TCP proxy that freezes the reply's event stream
 * (open, passing nothing), the page reconnects after the missed heartbeats (APP announces 1 s in
 * `meta`: 4 s with the slack), or at once when a hidden tab is shown again, and the reply ends whole,
 * every word once.
 */
import { expect, test, type Page } from '@playwright/test';
import { ChatPage, openEventSources, trackEventSources, words } from '../support/chat-page';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const APP = () => process.env.APP_URL!;
/** The request line of a reply's event stream, as the proxy sees it. */
const STREAM = /^GET \/api\/chat\/[^/ ]+\/stream/;

type Recorded = { __eventSources: EventSource[]; __reconnectingShown: number };

/** Counts the "Reconnecting…" notices shown from now on (one may show for a moment only). */
function recordReconnecting(page: Page) {
  return page.evaluate(() => {
    const w = window as unknown as Recorded;
    w.__reconnectingShown = 0;
    new MutationObserver((records) => {
      for (const r of records) {
        for (const node of r.addedNodes) {
          if (node.textContent?.includes('Reconnecting…')) w.__reconnectingShown++;
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
}

let proxy: TcpProxy;
test.beforeEach(async ({ page }) => {
  proxy = await startTcpProxy(Number(new URL(APP()).port));
  await page.addInitScript(trackEventSources);
});
test.afterEach(() => proxy.close());

/** Opens the app through the proxy and asks for a reply of `n` numbered words, 40 ms apart. */
async function askThroughProxy(page: Page, n: number) {
  const chat = new ChatPage(page);
  await chat.goto(proxy.url);
  await recordReconnecting(page);
  const text = words(n);
  await chat.ask(`[[echo]] [[delay:40]] ${text}`);
  await expect.poll(async () => (await chat.answerText()).split(' ').length).toBeGreaterThan(15);
  return { chat, text };
}

test('a stream frozen mid-reply is noticed after the missed heartbeats: the reply ends whole, once', async ({
  page,
}) => {
  test.slow(); // a reply of 6–10 s, and more around it
  const { chat, text } = await askThroughProxy(page, 250);
  expect(proxy.freeze(STREAM)).toBe(1);
  const frozenAt = Date.now();
  // Nothing comes any more; the page takes the connection for dead after about two heartbeats
  // and opens a new one from the last event it has.
  await expect.poll(async () => (await openEventSources(page)).created).toBe(2);
  expect(Date.now() - frozenAt).toBeGreaterThan(3000);
  await chat.waitForStatus('done');
  await expect(chat.answer().getByTestId('assistant-text')).toHaveText(text);
  expect(await openEventSources(page)).toEqual({ created: 2, open: 0 });
  expect(await page.evaluate(() => (window as unknown as Recorded).__reconnectingShown)).toBe(1);
  await expect(chat.answer().getByRole('status')).toHaveCount(0);
});

test('a hidden tab shown again after a silence reconnects at once, not at the limit', async ({
  page,
}) => {
  test.slow(); // a reply of 6–10 s, and more around it
  const { chat, text } = await askThroughProxy(page, 250);
  // The phone locks (the tab hides) and its connection goes silent.
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  expect(proxy.freeze(STREAM)).toBe(1);
  // Longer than the heartbeat (1 s), shorter than the silence limit (4 s).
  await page.waitForTimeout(1500);
  const [before, after] = await page.evaluate(() => {
    const all = (window as unknown as Recorded).__eventSources;
    const count = all.length;
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => 'visible',
    });
    document.dispatchEvent(new Event('visibilitychange'));
    return [count, all.length];
  });
  expect(before).toBe(1); // the silence limit had not passed
  expect(after).toBe(2); // shown again: a new connection at once
  await chat.waitForStatus('done');
  await expect(chat.answer().getByTestId('assistant-text')).toHaveText(text);
  expect(await openEventSources(page)).toEqual({ created: 2, open: 0 });
});
