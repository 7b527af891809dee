import { expect, test } from '@playwright/test';
import { ChatPage } from '../support/chat-page';
import { startTcpProxy } from '../support/tcp-proxy';
import { simRecord, uniqueTag } from '../support/api';

test('a person asks, watches the answer grow, and it completes', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(process.env.APP_URL!);
  // Record, inside the page, every length the visible answer takes while it streams: sampling
  // from the test process could miss steps on a busy machine.
  await page.evaluate(() => {
    const w = window as unknown as { answerLengths: number[] };
    w.answerLengths = [];
    new MutationObserver(() => {
      const all = document.querySelectorAll('[data-testid="assistant-text"]');
      const len = all[all.length - 1]?.textContent?.length ?? 0;
      if (len > (w.answerLengths.at(-1) ?? 0)) w.answerLengths.push(len);
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  await chat.ask('[[tokens:200]] [[delay:40]]');
  await expect(chat.stop).toBeVisible();
  await chat.waitForStatus('done');
  const lengths = await page.evaluate(
    () => (window as unknown as { answerLengths: number[] }).answerLengths,
  );
  const final = (await chat.answerText()).length;
  // It grew in several steps, not all at once.
  expect(lengths.length).toBeGreaterThanOrEqual(4);
  expect(lengths[0]).toBeLessThan(final);
  await expect(chat.send).toBeVisible();
  await expect(chat.stop).toHaveCount(0);
});

test('the demo model says it is the demo, and answers with markdown content', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(process.env.DEMO_URL!);
  await expect(page.getByRole('note')).toContainText('built-in demo model');
  await chat.message.fill('Hello there');
  await chat.message.press('Enter');
  await chat.waitForStatus('done');
  expect(await chat.answerText()).toContain('OPENAI_API_KEY');
  // Rendered as markdown: a table, a list and a code block, not raw syntax.
  await expect(chat.answer().getByRole('table')).toBeVisible();
  await expect(chat.answer().getByRole('list').first()).toBeVisible();
  await expect(chat.answer().locator('pre code')).toContainText('ollama pull');
  expect(await chat.answerText()).not.toContain('**');
});

test('Stop stops the reply and the upstream request', async ({ page }) => {
  const chat = new ChatPage(page);
  const tag = uniqueTag('ui-stop');
  await chat.goto(process.env.APP_URL!);
  await chat.ask(`[[tag:${tag}]] [[tokens:2000]] [[delay:20]]`);
  await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(20);
  await chat.stop.click();
  await chat.waitForStatus('stopped');
  await expect(chat.answer()).toContainText('Stopped');
  await expect.poll(async () => (await simRecord(tag))?.clientClosed, { timeout: 2000 }).toBe(true);
  const after = await chat.answerText();
  // Nothing more arrives once stopped: check twice, some frames apart.
  await page.waitForTimeout(300);
  expect(await chat.answerText()).toBe(after);
  // The person can ask again.
  await chat.ask('[[delay:0]] again');
  await chat.waitForStatus('done');
  expect(await chat.answerText()).toBe('Reply to: again');
});

test('an upstream error is shown as a readable message', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(process.env.APP_URL!);
  await chat.ask('[[delay:0]] [[cut:3]] a b c d e');
  await chat.waitForStatus('error');
  await expect(chat.answer().getByRole('alert')).toContainText(
    'The connection to the model provider was cut',
  );
  expect(await chat.answerText()).toBe('Reply to: a');
});

test('a reply survives the connection dropping mid-stream: no gap, no repeat', async ({ page }) => {
  test.slow(); // a reply of 6–10 s, and more around it
  const proxy = await startTcpProxy(Number(new URL(process.env.APP_URL!).port));
  try {
    const chat = new ChatPage(page);
    await chat.goto(proxy.url);
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    await chat.ask(`[[echo]] [[delay:40]] ${words}`);
    let dropped = 0;
    for (const at of [20, 60]) {
      await expect
        .poll(async () => (await chat.answerText()).split(' ').length)
        .toBeGreaterThan(at);
      dropped += proxy.dropAll();
    }
    // At least one live connection was cut (the second cut may find the stream reconnecting).
    expect(dropped).toBeGreaterThan(0);
    await chat.waitForStatus('done');
    expect(await chat.answerText()).toBe(words);
  } finally {
    await proxy.close();
  }
});
