/**
 * Messages, the message box and errors as a demanding person sees them: long unbroken text stays
 * in its column, leading spaces and right-to-left text survive, Enter sends an edit, the length
 * counter, errors that say when to try again or whom to tell, the reconnecting notice, reasoning
 * watched while it streams, and a reply the server stopped because its page was closed.
 */
import { expect, test, type Page } from '@playwright/test';
import { CONTINUE_PROMPT } from '../../lib/chat/protocol';
import { ChatPage, simRequests, words } from '../support/chat-page';
import { APP, uniqueTag } from '../support/api';
import { startTcpProxy } from '../support/tcp-proxy';

/** The `messages` of the next `POST /api/chat` the page sends. */
async function nextChatRequest(page: Page): Promise<{ role: string; content: string }[]> {
  const request = await page.waitForRequest(
    (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/chat',
  );
  return (request.postDataJSON() as { messages: { role: string; content: string }[] }).messages;
}

test.describe('what you type is kept as typed', () => {
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 375, height: 740 },
  ]) {
    test(`a long unbroken string stays inside the column at ${viewport.width} px`, async ({
      page,
    }) => {
      await page.setViewportSize(viewport);
      const chat = new ChatPage(page);
      await chat.goto(APP());
      const url = `https://example.com/${'a1b2c3d4e5'.repeat(40)}`;
      await chat.askAndWait(`[[delay:0]] ${url}`);
      const column = (await page.getByRole('region', { name: 'Conversation' }).boundingBox())!;
      const bubble = (await chat.userTexts().first().boundingBox())!;
      expect(bubble.x).toBeGreaterThanOrEqual(column.x);
      expect(bubble.x + bubble.width).toBeLessThanOrEqual(column.x + column.width + 0.5);
      expect(bubble.x + bubble.width).toBeLessThanOrEqual(viewport.width);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBe(0);
    });
  }

  test('leading spaces survive: in the bubble, the request and what the model got', async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    const text = '    def f():\n        return 1\n[[echo]] [[delay:0]]';
    await chat.message.fill(`${text}\n\n`);
    const sent = nextChatRequest(page);
    await chat.send.click();
    // Trailing blank lines are trimmed, everything else is kept.
    expect((await sent).at(-1)).toEqual({ role: 'user', content: text });
    await chat.waitForStatus('done');
    expect(await chat.userTexts().first().innerText()).toBe(text);
    // The model echoed it: four leading spaces make a code block of the indented lines.
    await expect(chat.answer().locator('pre code')).toHaveText('def f():\n    return 1');

    // Editing keeps them too.
    await chat.userMessages().getByRole('button', { name: 'Edit' }).click();
    await expect(page.getByRole('textbox', { name: 'Edited message' })).toHaveValue(text);
  });

  test('right-to-left text is laid out right to left in the box, the bubble and the reply', async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    const arabic = 'مرحبا بالعالم، كيف حالك اليوم؟';
    const direction = (el: Element) => getComputedStyle(el).direction;
    await chat.message.fill(`${arabic} [[echo]] [[delay:0]]`);
    expect(await chat.message.evaluate(direction)).toBe('rtl');
    await chat.send.click();
    await chat.waitForStatus('done');
    expect(await chat.userTexts().first().evaluate(direction)).toBe('rtl');
    await expect(chat.answer().getByTestId('assistant-text').locator('p')).toContainText(arabic);
    expect(await chat.answer().getByTestId('assistant-text').locator('p').evaluate(direction)).toBe(
      'rtl',
    );
    // Latin text stays left to right.
    await chat.askAndWait('Hello [[echo]] [[delay:0]]');
    expect(await chat.userTexts().last().evaluate(direction)).toBe('ltr');
    expect(await chat.answer().getByTestId('assistant-text').locator('p').evaluate(direction)).toBe(
      'ltr',
    );
    await chat.userMessages().first().getByRole('button', { name: 'Edit' }).click();
    const box = page.getByRole('textbox', { name: 'Edited message' });
    expect(await box.evaluate(direction)).toBe('rtl');
  });
});

test.describe('the message box and the edit box', () => {
  test('editing: Enter saves and sends, Shift+Enter adds a line, Escape cancels', async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.askAndWait('First question');
    const edit = chat.userMessages().getByRole('button', { name: 'Edit' });
    const box = page.getByRole('textbox', { name: 'Edited message' });

    await edit.click();
    await box.fill('Not this');
    await box.press('Escape');
    await expect(box).toHaveCount(0);
    await expect(chat.userTexts()).toHaveText(['First question']);
    await expect(edit).toBeFocused();
    // The Cancel button too.
    await edit.click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(box).toHaveCount(0);
    await expect(edit).toBeFocused();

    await edit.click();
    await box.fill('Changed');
    await box.press('Shift+Enter');
    await box.pressSequentially('question');
    await expect(box).toHaveValue('Changed\nquestion');
    await box.press('Enter');
    await expect(box).toHaveCount(0);
    await expect(chat.message).toBeFocused(); // not lost with the edit box
    await chat.waitForStatus('done');
    await expect(chat.userTexts()).toHaveText(['Changed\nquestion']);
    await chat.expectAnswer('Reply to: Changed question'); // one paragraph in markdown
  });

  test('a counter shows near the limit; past it, Send is disabled and says why', async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP()); // MAX_MESSAGE_CHARS=20000 (e2e/global-setup.ts)
    const counter = page.getByTestId('length-counter');
    await chat.message.fill('x'.repeat(17_000));
    await expect(counter).toHaveCount(0);
    await chat.message.fill('x'.repeat(18_500));
    await expect(counter).toHaveText('18,500 / 20,000');
    await expect(chat.send).toBeEnabled();
    await chat.message.fill('x'.repeat(20_001));
    await expect(counter).toContainText('20,001 / 20,000');
    await expect(counter).toContainText('too long to send');
    await expect(chat.send).toBeDisabled();
    await chat.message.press('Enter');
    await expect(chat.userMessages()).toHaveCount(0);
    await chat.message.fill('x'.repeat(20_000));
    await expect(chat.send).toBeEnabled();
  });
});

test.describe('on a touch keyboard', () => {
  test.use({ hasTouch: true, isMobile: true, viewport: { width: 375, height: 740 } });

  test('Enter adds a line, Send sends; no keyboard hints', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    expect(await page.evaluate(() => matchMedia('(pointer: coarse)').matches)).toBe(true);
    await expect(page.getByText('Esc stops a reply')).toHaveCount(0);
    await expect(chat.message).not.toHaveAttribute('placeholder', /Shift\+Enter/);
    await chat.message.pressSequentially('one');
    await chat.message.press('Enter');
    await chat.message.pressSequentially('two');
    await expect(chat.message).toHaveValue('one\ntwo');
    await expect(chat.userMessages()).toHaveCount(0);
    await chat.send.click();
    await chat.waitForStatus('done');
    await expect(chat.userTexts()).toHaveText(['one\ntwo']);

    await chat.userMessages().getByRole('button', { name: 'Edit' }).click();
    const box = page.getByRole('textbox', { name: 'Edited message' });
    await box.press('Control+End');
    await box.press('Enter');
    await expect(box).toHaveValue('one\ntwo\n');
  });
});

test.describe('errors', () => {
  test('an upstream 429 with Retry-After counts down; Retry is enabled at zero', async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    const tag = uniqueTag('ui-429');
    await chat.goto(APP());
    // Over 3 s, the server does not sleep on it: the error comes at once, with the wait.
    await chat.ask(`[[tag:${tag}]] [[status:429]] [[retry-after:4]] Hello`);
    await chat.waitForStatus('error');
    const alert = chat.answer().getByRole('alert');
    await expect(alert).toContainText('rate limiting');
    const retry = chat.answer().getByRole('button', { name: 'Retry' });
    await expect(chat.answer().getByText(/Try again in \d+ s/)).toBeVisible();
    await expect(retry).toBeDisabled();
    await expect(retry).toBeEnabled({ timeout: 8000 });
    await expect(chat.answer().getByText(/Try again in \d+ s/)).toHaveCount(0);
    expect((await simRequests(tag)).map((r) => r.status)).toEqual([429]);
  });

  test("a reply over the app's limit waits for a place, says where the others run, and starts by itself", async ({
    page,
  }) => {
    // SCALE_A allows 2 replies at once per client; this test is a client of its own.
    await page.setExtraHTTPHeaders({ 'X-Forwarded-For': `10.77.${rand()}.${rand()}` });
    const chat = new ChatPage(page);
    await chat.goto(process.env.SCALE_A_URL!);
    // Both 20 s long: still running when the third is sent, however slow the machine.
    const first = 'First [[tokens:1000]] [[delay:20]]';
    const second = 'Second [[tokens:1000]] [[delay:20]]';
    await chat.ask(first);
    await expect(chat.answer()).toHaveAttribute('data-status', 'streaming');
    await chat.newChat.click();
    await chat.ask(second);
    await chat.newChat.click();
    await chat.ask('Third [[delay:0]]');
    const notice = chat.answer().getByRole('status').filter({ hasText: 'Waiting to start' });
    await expect(notice).toContainText('limits how many replies may run at once');
    await expect(notice).toContainText('Running in this browser (2)');
    await expect(notice).toContainText(`“${first}”`);
    await expect(notice).toContainText(`“${second}”`);
    await expect(chat.stop).toBeVisible(); // it can be cancelled

    // One of the two ends (stopped here): the waiting one starts by itself.
    await chat.chat(`${first} (replying)`).click();
    await chat.stop.click();
    await chat.waitForStatus('stopped');
    await chat.chat('Third [[delay:0]]').click();
    await chat.waitForStatus('done');
    await chat.expectAnswer('Reply to: Third');
    await expect(notice).toHaveCount(0);
    await chat.chat(`${second} (replying)`).click();
    await chat.stop.click();
  });

  test('Stop cancels a reply that waits for a place', async ({ page }) => {
    await page.setExtraHTTPHeaders({ 'X-Forwarded-For': `10.78.${rand()}.${rand()}` });
    const chat = new ChatPage(page);
    await chat.goto(process.env.SCALE_A_URL!);
    await chat.ask('One [[tokens:1000]] [[delay:20]]');
    await chat.newChat.click();
    await chat.ask('Two [[tokens:1000]] [[delay:20]]');
    await chat.newChat.click();
    const tag = uniqueTag('ui-wait-cancel');
    await chat.ask(`[[tag:${tag}]] Three`);
    await expect(chat.answer().getByText('Waiting to start.')).toBeVisible();
    await chat.stop.click();
    await chat.waitForStatus('stopped');
    await expect(chat.answer()).toContainText('Stopped');
    expect(await simRequests(tag)).toEqual([]); // it never reached the model
  });

  test('a refused API key is an operator problem: a plain sentence, no key name, no Retry', async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.ask('[[status:401]] Hello');
    await chat.waitForStatus('error');
    const alert = chat.answer().getByRole('alert');
    await expect(alert).toContainText('Let the person who runs this app know');
    await expect(page.getByText(/OPENAI_API_KEY/)).toHaveCount(0);
    await expect(chat.answer().getByRole('button', { name: 'Retry' })).toHaveCount(0);
    // No text, no figures floating on their own.
    await expect(chat.figures()).toHaveCount(0);
  });

  test('a reply the server stopped after its page was closed says so, with Continue', async ({
    context,
  }) => {
    const tag = uniqueTag('ui-left');
    const first = await context.newPage();
    const chat = new ChatPage(first);
    await chat.goto(APP());
    await chat.ask(`[[tag:${tag}]] [[tokens:3000]] [[delay:20]]`);
    await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(50);
    await first.close();
    // The server stops a reply nobody follows after its grace period (2 s here).
    await expect
      .poll(async () => (await simRequests(tag))[0]?.clientClosed, { timeout: 15_000 })
      .toBe(true);

    const again = new ChatPage(await context.newPage());
    await again.goto(APP());
    await again.waitForStatus('stopped');
    await expect(again.answer()).toContainText('Stopped by the server: no open page followed');
    await expect(again.answer().getByRole('button', { name: 'Continue' })).toBeVisible();
  });

  test('Stop pressed by the person shows a plain "Stopped"', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.ask('[[tokens:3000]] [[delay:20]]');
    await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(50);
    await chat.stop.click();
    await chat.waitForStatus('stopped');
    await expect(chat.answer()).toContainText('Stopped');
    await expect(chat.answer()).not.toContainText('Stopped by the server');
  });
});

test.describe('while a reply streams', () => {
  test('Continue: its instruction goes only into its own request, never into the history', async ({
    page,
  }) => {
    test.slow(); // a 10 s reply, stopped early, then continued to its end
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.ask(`[[echo]] [[delay:50]] ${words(200)}`);
    await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(30);
    await chat.stop.click();
    await chat.waitForStatus('stopped');
    const continued = nextChatRequest(page);
    await chat.answer().getByRole('button', { name: 'Continue' }).click();
    expect((await continued).at(-1)).toEqual({ role: 'user', content: CONTINUE_PROMPT });
    await chat.waitForStatus('done');

    const next = nextChatRequest(page);
    await chat.ask('[[delay:0]] Thanks');
    const history = await next;
    expect(history.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(history[1]!.content.trim()).toBe(words(200));
    await chat.waitForStatus('done');
    await page.reload();
    await expect(chat.userMessages()).toHaveCount(2);
    await expect(chat.page.getByText(CONTINUE_PROMPT)).toHaveCount(0);
  });

  test('a lost connection is a visible notice that says it reconnects (offline here)', async ({
    page,
    context,
  }) => {
    const proxy = await startTcpProxy(Number(new URL(APP()).port));
    try {
      const chat = new ChatPage(page);
      await chat.goto(proxy.url);
      await chat.ask('[[tokens:600]] [[delay:20]]');
      await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(20);
      await context.setOffline(true);
      expect(proxy.dropAll()).toBeGreaterThan(0);
      const notice = chat.answer().getByRole('status').filter({ hasText: 'Reconnecting' });
      await expect(notice).toBeVisible();
      await expect(notice).toContainText('You are offline');
      await context.setOffline(false);
      await chat.waitForStatus('done');
      await expect(notice).toHaveCount(0);
    } finally {
      await proxy.close();
    }
  });

  test('reasoning is shown open while it streams, then collapsed to "Thought for"', async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.ask('[[reasoning]] [[delay:300]] Why?');
    const live = chat.answer().getByRole('region', { name: 'Thinking…' });
    await expect(live).toContainText('Let me think');
    // One "Thinking…", not a second status beside it.
    await expect(chat.answer().getByText('Thinking…', { exact: true })).toHaveCount(1);
    await chat.waitForStatus('done');
    const details = chat.answer().locator('details');
    await expect(details.locator('summary')).toHaveText(/^Thought for \d+ s$/);
    await expect(details).not.toHaveAttribute('open');
    await details.locator('summary').click();
    await expect(details.getByText('Let me think about this step by step.')).toBeVisible();
    await chat.expectAnswer('Reply to: Why?');
  });

  test('each message shows its time on hover', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.askAndWait('What time is it?');
    const time = chat.userMessages().locator('time');
    await expect(time).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
    await expect(time).toHaveAttribute('title', /\d{4}/);
    await chat.userMessages().hover();
    await expect(time).toBeVisible();
    await expect(chat.answer().locator('time')).toHaveAttribute('datetime', /^\d{4}-/);
  });
});

/** A random byte, for a client address of the test's own. */
function rand() {
  return Math.floor(Math.random() * 254) + 1;
}
