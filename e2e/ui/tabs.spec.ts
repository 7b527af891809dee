/**
 * Several tabs of the same browser (same IndexedDB, same origin): one tab follows a reply, the
 * others see it live; when the following tab closes, another takes over; replies in different
 * chats stream at once; every EventSource is closed once its reply ended.
 */
import { expect, test, type BrowserContext } from '@playwright/test';
import {
  ChatPage,
  openEventSources,
  simRequests,
  trackEventSources,
  words,
} from '../support/chat-page';
import { uniqueTag } from '../support/api';

const APP = () => process.env.APP_URL!;

async function twoTabs(context: BrowserContext): Promise<[ChatPage, ChatPage]> {
  await context.addInitScript(trackEventSources);
  const a = new ChatPage(await context.newPage());
  const b = new ChatPage(await context.newPage());
  await a.goto(APP());
  await b.goto(APP());
  return [a, b];
}

test('a chat sent in one tab appears in another, which sees the reply grow and finish', async ({
  context,
}) => {
  const [a, b] = await twoTabs(context);
  const text = words(250);
  await a.ask(`[[echo]] [[delay:40]] ${text}`);
  const entry = b.history.getByRole('button', { name: /^\[\[echo\]\]/ });
  await expect(entry).toBeVisible(); // no reload
  await entry.click();
  await expect(b.answer()).toHaveAttribute('data-status', 'streaming');

  // B sees the text grow while A streams it: several lengths, each shown while B still says the
  // reply streams. (B's markdown renderer loads on demand: until it is there the text is empty,
  // which is not counted.)
  const seen = new Set<number>();
  await expect
    .poll(
      async () => {
        const length = (await b.answerText()).length;
        const streaming = (await b.answer().getAttribute('data-status')) === 'streaming';
        if (length > 0 && streaming) seen.add(length);
        return streaming ? seen.size : `ended with ${seen.size} lengths seen`;
      },
      { intervals: [100], timeout: 20_000 },
    )
    .toBeGreaterThanOrEqual(3);
  await a.waitForStatus('done');
  await b.waitForStatus('done');
  await a.expectAnswer(text);
  await b.expectAnswer(text);

  // Only A followed the reply, and its EventSource is closed now that the reply ended.
  expect(await openEventSources(a.page)).toEqual({ created: 1, open: 0 });
  expect(await openEventSources(b.page)).toEqual({ created: 0, open: 0 });
});

test('when the tab following a reply closes, another tab takes it over to the end', async ({
  context,
}) => {
  const [a, b] = await twoTabs(context);
  const tag = uniqueTag('ui-tabs');
  const text = words(100);
  await a.ask(`[[echo]] [[delay:80]] [[tag:${tag}]] ${text}`); // 8 s: still streaming when checked
  await b.history.getByRole('button', { name: /^\[\[echo\]\]/ }).click();
  await expect
    .poll(async () => (await b.answerText()).split(' ').length, { timeout: 20_000 })
    .toBeGreaterThan(20);
  expect(await openEventSources(b.page)).toEqual({ created: 0, open: 0 });
  expect(await b.answer().getAttribute('data-status')).toBe('streaming');

  await a.page.close();
  // B follows it now, from where A was: the same reply, no gap, no repeat.
  await expect.poll(async () => (await openEventSources(b.page)).created).toBe(1);
  await b.waitForStatus('done');
  await b.expectAnswer(text);
  const requests = await simRequests(tag);
  expect(requests).toHaveLength(1);
  expect(requests[0]!.clientClosed).toBe(false);
  expect(await openEventSources(b.page)).toEqual({ created: 1, open: 0 });

  await b.page.reload();
  await expect(b.answer()).toHaveAttribute('data-status', 'done');
  await b.expectAnswer(text);
});

test('replies in two chats in two tabs stream at the same time and both complete', async ({
  context,
}) => {
  const [a, b] = await twoTabs(context);
  const first = words(100);
  const second = Array.from({ length: 100 }, (_, i) => `v${i}`).join(' ');
  // 100 words at 120 ms: 12 s each, still streaming when both are checked on a slow machine (at
  // 60 ms, one CI-like run under load saw A's reply end before B's had started).
  await a.ask(`[[echo]] [[delay:120]] ${first}`);
  await expect(b.history.getByRole('listitem')).toHaveCount(1);
  await b.newChat.click();
  await b.ask(`[[echo]] [[delay:120]] ${second}`);
  await expect(a.history.getByRole('listitem')).toHaveCount(2);
  // Both are streaming at once.
  await expect(a.answer()).toHaveAttribute('data-status', 'streaming');
  await expect(b.answer()).toHaveAttribute('data-status', 'streaming');

  await a.waitForStatus('done');
  await b.waitForStatus('done');
  await a.expectAnswer(first);
  await b.expectAnswer(second);
  // Each tab sees the other's chat complete too.
  await a.history.getByRole('button', { name: /^\[\[echo\]\] \[\[delay:120\]\] v0/ }).click();
  await expect(a.answer()).toHaveAttribute('data-status', 'done');
  await a.expectAnswer(second);
  await b.history.getByRole('button', { name: /^\[\[echo\]\] \[\[delay:120\]\] w0/ }).click();
  await expect(b.answer()).toHaveAttribute('data-status', 'done');
  await b.expectAnswer(first);

  expect(await openEventSources(a.page)).toEqual({ created: 1, open: 0 });
  expect(await openEventSources(b.page)).toEqual({ created: 1, open: 0 });
});
