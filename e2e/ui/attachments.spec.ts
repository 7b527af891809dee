/**
 * Attachments as a person uses them: attach by the button, a paste or a drop; thumbnails under
 * the message box; a big image arrives scaled down; text files and PDFs arrive as text with their
 * names; a model that cannot see is refused new images before sending, and is sent a chat's earlier
 * ones as named lines; everything stays after a reload, is
 * sent again by Edit and Regenerate, and goes through export, delete and import.
 */
import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { ChatPage, simRequests } from '../support/chat-page';
import { dropFiles, pdfWithText, pngOf } from '../support/files';
import { uniqueTag } from '../support/api';

const APP = () => process.env.APP_URL!;

const attachButton = (page: Page) => page.getByRole('button', { name: 'Attach files' });
const pendingList = (page: Page) => page.locator('form').getByRole('list', { name: 'Attachments' });

async function pick(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    attachButton(page).click(),
  ]);
  await chooser.setFiles(files);
}

async function lastRequest(tag: string) {
  await expect.poll(async () => (await simRequests(tag)).length).toBeGreaterThan(0);
  return (await simRequests(tag)).at(-1)!;
}

test('attach by the button: a large image arrives scaled down, a text file as text with its name', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const big = await pngOf(page, 4000, 3000);
  expect(big.length).toBeGreaterThan(300_000);
  await pick(page, [
    { name: 'diagram.png', mimeType: 'image/png', buffer: big },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Line one\nLine two') },
  ]);
  const list = pendingList(page);
  await expect(list.getByRole('listitem')).toHaveCount(2);
  await expect(list).toContainText('diagram.png');
  await expect(list).toContainText('notes.txt');
  await expect(list).toContainText(/\d+ B/); // the text file's size
  await expect(list.getByRole('button', { name: 'Remove diagram.png' })).toBeVisible();
  await expect(chat.send).toBeEnabled();

  const tag = uniqueTag('attach');
  await chat.ask(`[[tag:${tag}]] What is in these?`);
  await chat.waitForStatus('done');
  await expect(pendingList(page)).toHaveCount(0);

  const sent = (await lastRequest(tag)).messages.at(-1)!;
  expect(sent.files).toEqual(['notes.txt']);
  expect(sent.content).toContain('--- File: notes.txt ---\nLine one\nLine two');
  expect(sent.content).toContain('What is in these?');
  expect(sent.images).toHaveLength(1);
  const image = sent.images[0]!;
  expect([image.width, image.height]).toEqual([2048, 1536]);
  expect(image.bytes).toBeLessThan(big.length);

  // The sent image is in the message, and opens larger.
  const mine = chat.userMessages().last();
  await expect(mine.getByRole('img', { name: 'diagram.png' })).toBeVisible();
  await expect(mine).toContainText('notes.txt');
  await mine.getByRole('button', { name: 'Open diagram.png' }).click();
  const viewer = page.getByRole('dialog', { name: 'diagram.png' });
  await expect(viewer).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(viewer).toBeHidden();
});

test('attach by paste and by drop; a PDF arrives as its text; files can be removed by keyboard', async ({
  page,
}) => {
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text());
  });
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const png = await pngOf(page, 320, 200);
  await dropFiles(
    page,
    '#message',
    [{ name: 'pasted.png', type: 'image/png', base64: png.toString('base64') }],
    'paste',
  );
  await expect(pendingList(page)).toContainText('pasted.png');
  await dropFiles(
    page,
    'main',
    [
      {
        name: 'report.pdf',
        type: 'application/pdf',
        base64: pdfWithText(['Quarterly figures', 'Revenue grew by 12 percent']).toString('base64'),
      },
      { name: 'archive.zip', type: 'application/zip', base64: 'UEsDBA==' },
    ],
    'drop',
  );
  await expect(page.getByRole('alert').filter({ hasText: 'archive.zip' })).toHaveText(
    '“archive.zip” cannot be attached: images (PNG, JPEG, WebP, GIF), text files and PDFs can.',
  );
  await expect(pendingList(page).getByRole('listitem')).toHaveCount(2);
  await expect(pendingList(page)).toContainText('report.pdf');

  // Removed with the keyboard: focus the button, press Enter.
  const remove = pendingList(page).getByRole('button', { name: 'Remove pasted.png' });
  await remove.focus();
  await page.keyboard.press('Enter');
  await expect(pendingList(page).getByRole('listitem')).toHaveCount(1);

  const tag = uniqueTag('attach');
  await chat.ask(`[[tag:${tag}]] Summarise the report`);
  await chat.waitForStatus('done');
  const sent = (await lastRequest(tag)).messages.at(-1)!;
  expect(sent.images).toEqual([]);
  expect(sent.files).toEqual(['report.pdf']);
  expect(sent.content).toMatch(
    /--- File: report\.pdf ---\nQuarterly figures\s+Revenue grew by 12 percent/,
  );
  // PDF.js parses in the page by design: it says nothing about it in the console.
  expect(warnings).toEqual([]);
});

test('an image is not sent to a model that cannot see: it says so and offers one that can', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await chat.model.selectOption('other-model');
  await pick(page, [
    { name: 'photo.png', mimeType: 'image/png', buffer: await pngOf(page, 64, 64) },
  ]);
  const notice = page.getByRole('alert').filter({ hasText: 'cannot see images' });
  await expect(notice).toContainText('other-model cannot see images');
  await chat.message.fill('What is this?');
  await expect(chat.send).toBeDisabled();

  await notice.getByRole('button', { name: 'Use test-model' }).click();
  await expect(chat.model).toHaveValue('test-model');
  await expect(notice).toHaveCount(0);
  await expect(chat.send).toBeEnabled();
});

test('a chat with an image goes on with a model that cannot see: its images are left out, and it says so', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await pick(page, [
    { name: 'photo.png', mimeType: 'image/png', buffer: await pngOf(page, 64, 64) },
  ]);
  await chat.askAndWait('[[delay:0]] What is this?');

  await chat.model.selectOption('other-model');
  const notice = page.getByRole('status').filter({ hasText: 'cannot see images' });
  await expect(notice).toContainText(
    'other-model cannot see images: the images earlier in this chat are left out',
  );
  await expect(notice.getByRole('button', { name: 'Use test-model' })).toBeVisible();
  const tag = uniqueTag('blind');
  await chat.message.fill(`[[tag:${tag}]] And in words?`);
  await expect(chat.send).toBeEnabled();
  await chat.send.click();
  await expect(chat.assistantMessages()).toHaveCount(2);
  await chat.waitForStatus('done');

  const sent = await lastRequest(tag);
  expect(sent.model).toBe('other-model');
  const first = sent.messages.find((m) => m.role === 'user')!;
  expect(first.images).toHaveLength(0);
  expect(first.content).toContain('[Image “photo.png” left out: this model cannot see images.]');
  expect(first.content).toContain('What is this?');
  // Still in the chat, for a model that sees.
  await expect(chat.userMessages().first().getByRole('img', { name: 'photo.png' })).toBeVisible();

  // New images still cannot go to it.
  await pick(page, [
    { name: 'second.png', mimeType: 'image/png', buffer: await pngOf(page, 32, 32) },
  ]);
  await expect(page.getByRole('alert').filter({ hasText: 'cannot see images' })).toContainText(
    'other-model cannot see images, and this message has some.',
  );
  await expect(chat.send).toBeDisabled();
});

test('an upstream that refuses the image anyway gives a clear error', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await pick(page, [
    { name: 'photo.png', mimeType: 'image/png', buffer: await pngOf(page, 64, 64) },
  ]);
  await chat.ask('[[refuse-images]] What is this?');
  await chat.waitForStatus('error');
  await expect(chat.answer().getByRole('alert')).toContainText('cannot read images');
});

test('attachments stay after a reload and show in another tab; Edit and Regenerate send them again', async ({
  page,
  context,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await pick(page, [
    { name: 'chart.png', mimeType: 'image/png', buffer: await pngOf(page, 300, 200) },
    { name: 'data.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n1,2') },
  ]);
  const tag = uniqueTag('attach');
  await chat.ask(`[[tag:${tag}]] Explain`);
  await chat.waitForStatus('done');

  const other = new ChatPage(await context.newPage());
  await other.goto(APP());
  const there = other.userMessages().last().getByRole('img', { name: 'chart.png' });
  await expect.poll(() => there.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(300);
  await other.page.close();

  await page.reload();
  const mine = chat.userMessages().last();
  await expect(mine.getByRole('img', { name: 'chart.png' })).toBeVisible();
  await expect
    .poll(() =>
      mine
        .getByRole('img', { name: 'chart.png' })
        .evaluate((i: HTMLImageElement) => i.naturalWidth),
    )
    .toBe(300);
  await expect(mine).toContainText('data.csv');

  await chat.answer().getByRole('button', { name: 'Regenerate' }).click();
  await chat.waitForStatus('done');
  await expect.poll(async () => (await simRequests(tag)).length).toBe(2);
  let sent = (await simRequests(tag)).at(-1)!.messages.at(-1)!;
  expect(sent.images.map((i) => [i.width, i.height])).toEqual([[300, 200]]);
  expect(sent.files).toEqual(['data.csv']);

  await mine.getByRole('button', { name: 'Edit' }).click();
  await expect(page.getByRole('form', { name: 'Edit message' })).toContainText(
    'Its 2 attachments are sent again.',
  );
  const box = page.getByRole('textbox', { name: 'Edited message' });
  await box.fill(`[[tag:${tag}]] Explain again`);
  await box.press('Enter');
  await chat.waitForStatus('done');
  await expect.poll(async () => (await simRequests(tag)).length).toBe(3);
  sent = (await simRequests(tag)).at(-1)!.messages.at(-1)!;
  expect(sent.content).toContain('Explain again');
  expect(sent.images).toHaveLength(1);
  expect(sent.files).toEqual(['data.csv']);
  await expect(chat.userMessages().last().getByRole('img', { name: 'chart.png' })).toBeVisible();
});

test('export, delete and import bring the images back; Markdown names them', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await pick(page, [
    { name: 'kept.png', mimeType: 'image/png', buffer: await pngOf(page, 120, 80) },
  ]);
  await chat.ask('Keep this picture');
  await chat.waitForStatus('done');

  await chat.settings.click();
  const download = async (name: string) => {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name }).click(),
    ]);
    return (await file.path())!;
  };
  const json = await download('Export JSON');
  const markdown = await readFile(await download('Export Markdown'), 'utf8');
  expect(markdown).toContain('Attached: ![kept.png](kept.png)');
  const data = JSON.parse(await readFile(json, 'utf8')) as {
    version: number;
    files: { type: string; base64: string }[];
  };
  expect(data.version).toBe(3);
  expect(data.files).toHaveLength(1);
  expect(data.files[0]!.type).toBe('image/png');

  await chat.history.getByRole('button', { name: 'Delete Keep this picture' }).click();
  await expect(chat.history).toContainText('No chats yet.');
  // Deleted with its chat: nothing of it stays in the browser.
  await expect
    .poll(() =>
      page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const open = indexedDB.open('streamchat-files');
            open.onsuccess = () => {
              const count = open.result.transaction('files').objectStore('files').count();
              count.onsuccess = () => resolve(count.result);
            };
          }),
      ),
    )
    .toBe(0);

  await page.getByLabel('Import file').setInputFiles(json);
  await expect(chat.sidebarStatus).toHaveText('Imported 1 chat.');
  const image = chat.userMessages().last().getByRole('img', { name: 'kept.png' });
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(120);
});

for (const scheme of ['light', 'dark'] as const) {
  test.describe(scheme, () => {
    test.use({ colorScheme: scheme });
    test('a conversation with an image and a file passes axe; screenshots at desktop and phone width', async ({
      page,
    }, info) => {
      const chat = new ChatPage(page);
      await chat.goto(APP());
      await pick(page, [
        { name: 'sunset.png', mimeType: 'image/png', buffer: await pngOf(page, 800, 500) },
        {
          name: 'itinerary.md',
          mimeType: 'text/markdown',
          buffer: Buffer.from('# Day one\nBeach'),
        },
      ]);
      await chat.ask('Plan a day around this view');
      await chat.waitForStatus('done');
      await pick(page, [
        { name: 'second-photo.png', mimeType: 'image/png', buffer: await pngOf(page, 400, 300) },
        { name: 'packing-list.txt', mimeType: 'text/plain', buffer: Buffer.from('towel') },
      ]);
      await expect(pendingList(page).getByRole('listitem')).toHaveCount(2);
      await expect(pendingList(page)).not.toContainText('Preparing');
      const axe = await new AxeBuilder({ page }).analyze();
      expect(axe.violations.map((v) => v.id)).toEqual([]);
      for (const [name, width] of [
        ['desktop', 1280],
        ['phone', 390],
      ] as const) {
        await page.setViewportSize({ width, height: name === 'phone' ? 844 : 800 });
        await info.attach(`attachments-${scheme}-${name}`, {
          body: await page.screenshot(),
          contentType: 'image/png',
        });
      }
    });
  });
}

test('the demo model says what it received; a hostile file name stays text', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(process.env.DEMO_URL!);
  const hostile = '<img src=x onerror="window.__pwned=1">.txt';
  await pick(page, [
    { name: 'photo.png', mimeType: 'image/png', buffer: await pngOf(page, 64, 48) },
    { name: hostile, mimeType: 'text/plain', buffer: Buffer.from('hello') },
  ]);
  await expect(pendingList(page)).toContainText(hostile);
  await expect(pendingList(page)).not.toContainText('Preparing');
  await chat.ask('What did you get?');
  await chat.waitForStatus('done');
  await expect(chat.answer()).toContainText(/I received 1 image \(image\/png, 64×48, [\d.]+ K?B\)/);
  await expect(chat.answer()).toContainText('1 file (');
  await expect(chat.userMessages().last()).toContainText(hostile);
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
});

test('more images than a message may carry are refused before sending, with the reason', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const png = await pngOf(page, 40, 40);
  await pick(
    page,
    [1, 2, 3, 4, 5].map((n) => ({ name: `shot-${n}.png`, mimeType: 'image/png', buffer: png })),
  );
  await expect(pendingList(page).getByRole('listitem')).toHaveCount(4);
  await expect(page.getByRole('alert').filter({ hasText: 'shot-5.png' })).toHaveText(
    '“shot-5.png” was not attached: a message can carry at most 4 images.',
  );
});
