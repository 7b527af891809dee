/**
 * The chat product as a person uses it: conversations kept in the browser, replies that survive a
 * reload, message actions, the controls in the header and the composer, the figures under a reply,
 * export and import.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { ChatPage, simRequests, words } from '../support/chat-page';
import { uniqueTag } from '../support/api';

const APP = () => process.env.APP_URL!;

test.describe('conversations', () => {
  test('create, switch, rename, search and delete chats; all of it survives a reload', async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await expect(chat.history).toContainText('No chats yet.');

    // Titles come from the first message.
    await chat.askAndWait('Tell me about cats');
    await expect(chat.chat('Tell me about cats')).toBeVisible();
    await expect(chat.title).toHaveText('Tell me about cats');
    await chat.newChat.click();
    await expect(chat.title).toHaveText('New chat');
    await expect(chat.examples).toBeVisible();
    await chat.askAndWait('What about dogs?');
    await expect(chat.history.getByRole('button', { name: /^(Tell me|What about)/ })).toHaveText([
      'What about dogs?',
      'Tell me about cats',
    ]);

    // Switching shows the other conversation and marks it as the current one.
    await chat.chat('Tell me about cats').click();
    await expect(chat.title).toHaveText('Tell me about cats');
    await expect(chat.userTexts()).toHaveText(['Tell me about cats']);
    await expect(chat.answer()).toContainText('Reply to: Tell me about cats');
    await expect(chat.chat('Tell me about cats')).toHaveAttribute('aria-current', 'page');
    await expect(chat.chat('What about dogs?')).not.toHaveAttribute('aria-current', 'page');

    // Escape cancels a rename.
    await chat.history.getByRole('button', { name: 'Rename Tell me about cats' }).click();
    await chat.history.getByRole('textbox', { name: 'Chat title' }).fill('Not this');
    await page.keyboard.press('Escape');
    await expect(chat.history.getByRole('textbox', { name: 'Chat title' })).toHaveCount(0);
    await expect(chat.chat('Tell me about cats')).toBeVisible();
    await expect(chat.chat('Not this')).toHaveCount(0);
    await chat.rename('Tell me about cats', 'Feline facts');
    await expect(chat.title).toHaveText('Feline facts');
    await expect(chat.chat('Tell me about cats')).toHaveCount(0);

    // Search looks at titles and at what was said.
    await chat.search.fill('feline');
    await expect(chat.history.getByRole('listitem')).toHaveCount(1);
    await expect(chat.chat('Feline facts')).toBeVisible();
    await chat.search.fill('dogs');
    await expect(chat.history.getByRole('listitem')).toHaveCount(1);
    await expect(chat.chat('What about dogs?')).toBeVisible();
    await chat.search.fill('cats'); // only in the messages of "Feline facts" now
    await expect(chat.history.getByRole('listitem')).toHaveCount(1);
    await expect(chat.chat('Feline facts')).toBeVisible();
    await chat.search.fill('zebra');
    await expect(chat.history).toHaveText('No chat matches.');
    await chat.search.fill('');
    await expect(chat.history.getByRole('listitem')).toHaveCount(2);

    // Delete acts at once and offers Undo.
    await chat.remove('What about dogs?');
    await expect(chat.chat('What about dogs?')).toHaveCount(0);
    await chat.undo().click();
    await expect(chat.chat('What about dogs?')).toBeVisible();
    await chat.remove('What about dogs?');
    await expect(chat.chat('What about dogs?')).toHaveCount(0);
    await expect(chat.history.getByRole('listitem')).toHaveCount(1);

    await page.reload();
    await expect(chat.chat('Feline facts')).toBeVisible();
    await expect(chat.history.getByRole('listitem')).toHaveCount(1);
    await expect(chat.title).toHaveText('Feline facts');
    await expect(chat.userTexts()).toHaveText(['Tell me about cats']);
    await expect(chat.answer()).toHaveAttribute('data-status', 'done');
    await chat.expectAnswer('Reply to: Tell me about cats');
  });
});

test('a message sent while the page is still loading its chats is kept', async ({ page }) => {
  // Hold the page's start-up (it loads the models and the saved chats together) until after the
  // person has sent a message.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/models', async (route) => {
    await held;
    await route.continue();
  });
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await chat.ask('Sent early');
  await expect(chat.userTexts()).toHaveText(['Sent early']);
  release();
  await expect(chat.model).toBeVisible(); // started up
  await chat.waitForStatus('done');
  await chat.expectAnswer('Reply to: Sent early');
  await expect(chat.chat('Sent early')).toBeVisible();
  await page.reload();
  await expect(chat.chat('Sent early')).toBeVisible();
  await expect(chat.answer()).toHaveAttribute('data-status', 'done');
});

test.describe('reload', () => {
  test('a reply reloaded mid-stream goes on and ends with exactly its text', async ({ page }) => {
    test.slow(); // a reply of 6–10 s, and more around it
    const chat = new ChatPage(page);
    const tag = uniqueTag('ui-reload');
    const text = words(300);
    await chat.goto(APP());
    await chat.ask(`[[echo]] [[delay:30]] [[tag:${tag}]] ${text}`);
    await expect.poll(async () => (await chat.answerText()).split(' ').length).toBeGreaterThan(20);
    expect(await chat.answer().getAttribute('data-status')).toBe('streaming');
    await page.reload();

    // It is still there after the reload, and goes on.
    await expect(chat.answer()).toBeVisible();
    await chat.waitForStatus('done');
    await chat.expectAnswer(text);
    // The model was asked once: the text after the reload came from the same reply.
    const requests = await simRequests(tag);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.tokensSent).toBe(300);
    // …and the finished text is what is saved.
    await page.reload();
    await expect(chat.answer()).toHaveAttribute('data-status', 'done');
    await chat.expectAnswer(text);
  });

  test('a stopped reply keeps its text and "Stopped" after a reload', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.ask('[[tokens:2000]] [[delay:20]]');
    await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(50);
    await chat.stop.click();
    await chat.waitForStatus('stopped');
    const partial = await chat.answerText();
    await page.reload();
    await expect(chat.answer()).toHaveAttribute('data-status', 'stopped');
    await expect(chat.answer()).toContainText('Stopped');
    await chat.expectAnswer(partial);
    await expect(chat.answer().getByRole('button', { name: 'Continue' })).toBeVisible();
  });

  test('a failed reply keeps its text and its error after a reload', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.ask('[[delay:0]] [[cut:3]] a b c d e');
    await chat.waitForStatus('error');
    await page.reload();
    await expect(chat.answer()).toHaveAttribute('data-status', 'error');
    await chat.expectAnswer('Reply to: a');
    await expect(chat.answer().getByRole('alert')).toContainText(
      'The connection to the model provider was cut',
    );
    await expect(chat.answer().getByRole('button', { name: 'Retry' })).toBeVisible();
  });
});

test.describe('message actions', () => {
  test('Copy puts the message text on the clipboard', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.askAndWait('Copy **this** please');
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());

    await chat.answer().getByRole('button', { name: 'Copy' }).click();
    // The raw markdown, as the model wrote it; the button says it worked, then goes back.
    await expect.poll(clipboard).toBe('Reply to: Copy **this** please');
    await expect(chat.answer().getByRole('button', { name: 'Copied' })).toBeVisible();
    await expect(chat.answer().getByRole('button', { name: 'Copy' })).toBeVisible();

    await chat.userMessages().getByRole('button', { name: 'Copy' }).click();
    await expect.poll(clipboard).toBe('Copy **this** please');
  });

  test('Regenerate replaces the last reply with a new one', async ({ page }) => {
    const chat = new ChatPage(page);
    const tag = uniqueTag('ui-regen');
    await chat.goto(APP());
    await chat.askAndWait(`[[tag:${tag}]] Say it again`);
    await chat.expectAnswer('Reply to: Say it again');
    await chat.answer().getByRole('button', { name: 'Regenerate' }).click();
    await expect.poll(async () => (await simRequests(tag)).length).toBe(2);
    await chat.waitForStatus('done');
    await expect(chat.assistantMessages()).toHaveCount(1);
    await expect(chat.userMessages()).toHaveCount(1);
    await chat.expectAnswer('Reply to: Say it again'); // the model is deterministic
  });

  test('Edit changes a question, drops what came after it and asks again', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.askAndWait('First question');
    await chat.askAndWait('Second question');
    await expect(chat.userMessages()).toHaveCount(2);

    await chat.userMessages().first().getByRole('button', { name: 'Edit' }).click();
    const box = page.getByRole('textbox', { name: 'Edited message' });
    await expect(box).toHaveValue('First question');
    await box.fill('Changed question');
    await page.getByRole('button', { name: 'Save and send' }).click();

    await expect(chat.userTexts()).toHaveText(['Changed question']);
    await expect(chat.assistantMessages()).toHaveCount(1);
    await chat.waitForStatus('done');
    await chat.expectAnswer('Reply to: Changed question');
    // The edit is what is kept.
    await page.reload();
    await expect(chat.userTexts()).toHaveText(['Changed question']);
    await expect(chat.assistantMessages()).toHaveCount(1);
  });

  test('Continue after Stop grows the same reply', async ({ page }) => {
    test.slow(); // a 10 s reply, stopped early, then continued to its end
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.ask(`[[echo]] [[delay:40]] ${words(250)}`);
    await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(30);
    await chat.stop.click();
    await chat.waitForStatus('stopped');
    const partial = await chat.answerText();
    expect(words(250).startsWith(partial)).toBe(true);

    await chat.answer().getByRole('button', { name: 'Continue' }).click();
    await chat.waitForStatus('done');
    await expect(chat.assistantMessages()).toHaveCount(1);
    const grown = await chat.answerText();
    expect(grown.startsWith(partial)).toBe(true);
    // The test model goes on with the rest of the same answer: together, the whole of it.
    expect(grown.length).toBeGreaterThan(partial.length);
    expect(grown.trim()).toBe(words(250).trim());
    await expect(chat.answer()).not.toContainText('Stopped');
  });

  test('Retry after an error asks again and replaces the failed reply', async ({ page }) => {
    const chat = new ChatPage(page);
    const tag = uniqueTag('ui-retry');
    await chat.goto(APP());
    // The first three upstream requests fail: the first try and the server's two retries.
    await chat.ask(`[[tag:${tag}]] [[fail-first:3]] [[retry-after:0]] Try this`);
    await chat.waitForStatus('error');
    await expect(chat.answer().getByRole('alert')).toBeVisible();
    expect(await simRequests(tag)).toHaveLength(3);

    await chat.answer().getByRole('button', { name: 'Retry' }).click();
    await chat.waitForStatus('done');
    await chat.expectAnswer('Reply to: Try this');
    await expect(chat.assistantMessages()).toHaveCount(1);
    await expect(chat.answer().getByRole('alert')).toHaveCount(0);
    expect(await simRequests(tag)).toHaveLength(4);
  });

  test('finished reasoning is folded into "Thought for N s"', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.askAndWait('[[reasoning]] [[delay:5]] Why?');
    const thinking = chat.answer().locator('details');
    const summary = thinking.locator('summary');
    await expect(summary).toHaveText(/^Thought for \d+ s$/);
    await expect(thinking).not.toHaveAttribute('open');
    await expect(thinking.getByText('Let me think about this step by step.')).toBeHidden();
    await summary.click();
    await expect(thinking).toHaveAttribute('open');
    await expect(thinking.getByText('Let me think about this step by step.')).toBeVisible();
    // The reasoning is not part of the answer.
    await chat.expectAnswer('Reply to: Why?');
  });
});

test.describe('controls', () => {
  test('the Model select chooses the model of the next request', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await expect(chat.model).toHaveValue('test-model');
    await expect(chat.model.getByRole('option')).toHaveText([
      'test-model',
      'other-model',
      'meta-llama/Llama-3.3-70B-Instruct-Turbo-long-context',
    ]);

    // Before the first message: the new chat uses it.
    await chat.model.selectOption('other-model');
    const first = uniqueTag('ui-model');
    await chat.askAndWait(`[[tag:${first}]] hello`);
    expect((await simRequests(first)).map((r) => r.model)).toEqual(['other-model']);
    await expect(chat.figures()).toContainText('other-model');

    // In a chat: its next request uses the new choice; the choice stays with the chat.
    await chat.model.selectOption('test-model');
    const second = uniqueTag('ui-model');
    await chat.askAndWait(`[[tag:${second}]] again`);
    expect((await simRequests(second)).map((r) => r.model)).toEqual(['test-model']);
    await page.reload();
    await expect(chat.model).toHaveValue('test-model');
  });

  test('the system prompt from Settings is sent with the conversation', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.askAndWait('hello there');
    // The test model counts every word it was sent as a prompt token.
    const promptTokens = async () =>
      Number(/(\d+) in ·/.exec((await chat.figures().textContent()) ?? '')?.[1]);
    const without = await promptTokens();
    expect(without).toBe(2);

    await chat.settings.click();
    await expect(chat.settings).toHaveAttribute('aria-expanded', 'true');
    await chat.systemPrompt.fill('Answer briefly in French please.');
    await chat.answer().getByRole('button', { name: 'Regenerate' }).click();
    await expect.poll(promptTokens).toBe(without + 5);

    // Kept with the chat.
    await page.reload();
    await chat.settings.click();
    await expect(chat.systemPrompt).toHaveValue('Answer briefly in French please.');
  });

  test('Enter sends, Shift+Enter adds a line; Stop replaces Send while streaming', async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await expect(chat.send).toBeDisabled(); // nothing to send yet
    await chat.message.click();
    await page.keyboard.type('line one');
    await page.keyboard.press('Shift+Enter');
    // Long enough (40 s) that it is still streaming however slow the machine; stopped below.
    const text = 'line one\nline two [[tokens:2000]] [[delay:20]]';
    await page.keyboard.type('line two [[tokens:2000]] [[delay:20]]');
    await expect(chat.message).toHaveValue(text);
    await expect(chat.userMessages()).toHaveCount(0);

    await page.keyboard.press('Enter');
    await expect(chat.userTexts()).toHaveText([text]);
    await expect(chat.message).toHaveValue('');
    await expect(chat.stop).toBeVisible();
    await expect(chat.send).toHaveCount(0);
    await chat.stop.click();
    await chat.waitForStatus('stopped');
    await expect(chat.send).toBeVisible();
    await expect(chat.stop).toHaveCount(0);
  });

  test('Escape stops a streaming reply', async ({ page }) => {
    const chat = new ChatPage(page);
    const tag = uniqueTag('ui-esc');
    await chat.goto(APP());
    await chat.ask(`[[tag:${tag}]] [[tokens:2000]] [[delay:20]]`);
    await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(20);
    await chat.message.press('Escape');
    await chat.waitForStatus('stopped');
    await expect.poll(async () => (await simRequests(tag))[0]?.clientClosed).toBe(true);
    await expect(chat.send).toBeVisible();
  });

  test('Ctrl+Shift+O starts a new chat', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.askAndWait('An old chat');
    await page.getByRole('button', { name: 'Copy' }).first().focus(); // from anywhere
    await page.keyboard.press('Control+Shift+O');
    await expect(chat.title).toHaveText('New chat');
    await expect(chat.examples).toBeVisible();
    await expect(chat.message).toBeFocused();
    await page.keyboard.type('A new chat');
    await page.keyboard.press('Enter');
    await expect(chat.chat('A new chat')).toBeVisible();
    await expect(chat.history.getByRole('listitem')).toHaveCount(2);
  });
});

test('a finished reply shows time to first token, speed and token usage', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await chat.askAndWait('[[tokens:40]] [[delay:30]]'); // 1.2 s: several frames, so a speed
  const figures = chat.figures();
  await expect(figures).toHaveText(/\b\d+ ms to first token\b/);
  await expect(figures).toHaveText(/\b\d+(\.\d+)? tok\/s\b/);
  await expect(figures).toHaveText(/\b2 in · 40 out tokens\b/);
  await expect(figures).toContainText('test-model');
  // Not while streaming.
  await chat.ask('[[tokens:400]] [[delay:25]]');
  await expect(chat.answer()).toHaveAttribute('data-status', 'streaming');
  await expect(chat.figures()).toHaveCount(0);
  await chat.waitForStatus('done');
  await expect(chat.figures()).toHaveText(/400 out tokens/);
});

test.describe('export and import', () => {
  test('a chat exports as Markdown and JSON, and the JSON imports back', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.askAndWait('Export me');
    await chat.settings.click();

    const [md] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export Markdown' }).click(),
    ]);
    expect(md.suggestedFilename()).toBe('Export-me.md');
    const markdown = await readFile((await md.path())!, 'utf8');
    expect(markdown).toMatch(/^# Export me\n/);
    expect(markdown).toContain('## You\n\nExport me\n');
    expect(markdown).toContain('## Assistant (test-model)\n\nReply to: Export me\n');

    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    expect(json.suggestedFilename()).toBe('Export-me.json');
    const file = (await json.path())!;
    const data = JSON.parse(await readFile(file, 'utf8')) as {
      app: string;
      version: number;
      conversations: { title: string; messages: { role: string; content: string }[] }[];
    };
    expect(data.app).toBe('streamchat');
    expect(data.version).toBe(3);
    expect(data.conversations).toHaveLength(1);
    expect(data.conversations[0]!.title).toBe('Export me');
    expect(data.conversations[0]!.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Export me'],
      ['assistant', 'Reply to: Export me'],
    ]);

    // The import button opens the (hidden) file input.
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Import chats (JSON)' }).click(),
    ]);
    await chooser.setFiles(file);
    // The same chat is already here: nothing to add.
    await expect(chat.sidebarStatus).toHaveText('Nothing imported: 1 chat already here.');
    await expect(chat.chat('Export me')).toHaveCount(1);
    // Once deleted, it imports back and opens.
    await chat.remove('Export me');
    await expect(chat.title).toHaveText('New chat');
    await page.getByLabel('Import file').setInputFiles(file);
    await expect(chat.sidebarStatus).toHaveText('Imported 1 chat.');
    await expect(chat.chat('Export me')).toHaveCount(1);
    await expect(chat.title).toHaveText('Export me');
    await expect(chat.userTexts()).toHaveText(['Export me']);
    await chat.expectAnswer('Reply to: Export me');
    await page.reload();
    await expect(chat.chat('Export me')).toHaveCount(1);
  });

  test('importing a file that is not an export says so', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    const input = page.getByLabel('Import file');
    await input.setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('just some notes'),
    });
    await expect(chat.sidebarStatus).toHaveText('This file is not valid JSON.');
    await input.setInputFiles({
      name: 'other.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"hello": "world"}'),
    });
    await expect(chat.sidebarStatus).toHaveText('This file is not a StreamChat export.');
    await expect(chat.history).toContainText('No chats yet.');
  });
});
