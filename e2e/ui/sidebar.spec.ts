/**
 * The sidebar as a demanding user tries it: import opens what it imported and skips copies, the
 * replying dot survives long titles, titles use the room the hidden buttons do not need, date
 * groups, search hits shown and highlighted, delete with Undo, focus that never drops to <body>,
 * export all, bulk delete, and hiding the sidebar on a desktop.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { ChatPage } from '../support/chat-page';

const APP = () => process.env.APP_URL!;
const DAY = 86_400_000;

interface SeedChat {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  systemPrompt: string;
  messages: {
    id: string;
    role: 'user' | 'assistant';
    content: string;
    status: 'done';
    createdAt: number;
  }[];
}

/** A finished chat: the texts alternate between the person and the model. */
function seedChat(title: string, updatedAt: number, texts: string[] = ['Hi', 'Reply to: Hi']) {
  const id = `seed-${title.replace(/\W+/g, '-')}-${updatedAt}`;
  return {
    id,
    title,
    createdAt: updatedAt,
    updatedAt,
    systemPrompt: '',
    messages: texts.map((content, i) => ({
      id: `${id}-${i}`,
      role: i % 2 ? 'assistant' : 'user',
      content,
      status: 'done',
      createdAt: updatedAt - 1000 + i,
    })),
  } satisfies SeedChat;
}

/** Writes chats straight into the page's IndexedDB (keeping their dates), then reloads. */
async function seed(chat: ChatPage, chats: SeedChat[]) {
  await chat.page.evaluate(async (list) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('streamchat', 1);
      open.onupgradeneeded = () => {
        const store = open.result.createObjectStore('conversations', { keyPath: 'id' });
        store.createIndex('updatedAt', 'updatedAt');
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const tx = db.transaction('conversations', 'readwrite');
    for (const c of list) tx.objectStore('conversations').put(c);
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
  }, chats);
  await chat.page.reload();
  await expect(chat.message).toBeEditable();
  await expect(chat.history.getByRole('listitem')).toHaveCount(chats.length);
}

function exportFile(chats: SeedChat[]) {
  return {
    name: 'chats.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ app: 'streamchat', version: 1, conversations: chats })),
  };
}

/** The accessible names of the chat rows, top to bottom. */
function rowNames(page: Page): Promise<string[]> {
  return page
    .getByRole('list', { name: 'Chat history' })
    .locator('[data-chat-id]')
    .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? ''));
}

test('import opens the imported chat at the top, and skips chats already here', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const now = Date.now();
  await seed(chat, [
    seedChat('Recent one', now - 60_000),
    ...Array.from({ length: 5 }, (_, i) => seedChat(`Older ${i}`, now - (i + 2) * DAY)),
  ]);
  await expect(chat.title).toHaveText('Recent one');

  // Chats from last year: imported means "just now", in the file's order.
  const old = now - 400 * DAY;
  const first = seedChat('Imported first', old, ['Question one', 'Answer one']);
  const second = seedChat('Imported second', old - DAY, ['Question two', 'Answer two']);
  const input = page.getByLabel('Import file');
  await input.setInputFiles(exportFile([first, second]));
  await expect(chat.sidebarStatus).toHaveText('Imported 2 chats.');
  await expect(chat.title).toHaveText('Imported first');
  await expect(chat.chat('Imported first')).toHaveAttribute('aria-current', 'page');
  await expect(chat.userTexts()).toHaveText(['Question one']);
  expect((await rowNames(page)).slice(0, 3)).toEqual([
    'Imported first',
    'Imported second',
    'Recent one',
  ]);

  // The same file again: nothing new.
  await chat.chat('Recent one').click();
  await input.setInputFiles(exportFile([first, second]));
  await expect(chat.sidebarStatus).toHaveText('Nothing imported: 2 chats already here.');
  await expect(chat.history.getByRole('listitem')).toHaveCount(8);
  await expect(chat.title).toHaveText('Imported first'); // the copy already here is opened

  // One new, one already here.
  const third = seedChat('Imported third', old, ['Question three', 'Answer three']);
  await input.setInputFiles(exportFile([second, third]));
  await expect(chat.sidebarStatus).toHaveText('Imported 1 chat, skipped 1 already here.');
  await expect(chat.title).toHaveText('Imported third');
  expect((await rowNames(page))[0]).toBe('Imported third');
  await expect(chat.history.getByRole('listitem')).toHaveCount(9);
  await page.reload();
  await expect(chat.history.getByRole('listitem')).toHaveCount(9);
  expect((await rowNames(page))[0]).toBe('Imported third');
});

test('the replying dot shows before a long title, for each chat that streams', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const long = (n: number) => `Chat ${n} ${'with a very long title '.repeat(7)}`.slice(0, 150);
  for (const n of [1, 2]) {
    if (n === 2) await chat.newChat.click();
    await chat.ask(`[[tokens:600]] [[delay:50]] stream ${n}`);
    await expect(chat.answer()).toHaveAttribute('data-status', 'streaming');
    await chat.history.getByRole('button', { name: /^Rename \[\[tokens/ }).click();
    const box = chat.history.getByRole('textbox', { name: 'Chat title' });
    await box.fill(long(n));
    await box.press('Enter');
  }
  for (const n of [1, 2]) {
    const row = chat.history.getByRole('button', { name: `${long(n)} (replying)`, exact: true });
    await expect(row).toContainText('replying');
    const dot = row.getByTestId('replying');
    await expect(dot).toBeVisible();
    const [d, r] = [(await dot.boundingBox())!, (await row.boundingBox())!];
    expect(d.width).toBeGreaterThan(4);
    expect(d.x).toBeGreaterThanOrEqual(r.x);
    expect(d.x + d.width).toBeLessThanOrEqual(r.x + 24); // first, not pushed out by the title
    expect(d.y).toBeGreaterThanOrEqual(r.y);
    expect(d.y + d.height).toBeLessThanOrEqual(r.y + r.height);
  }
});

test('a title takes the whole row unless the row shows its buttons', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const title = `A title long enough to be cut ${'and then some more words '.repeat(5)}`.trim();
  const now = Date.now();
  await seed(chat, [seedChat('Open one', now), seedChat(title, now - 1000)]);
  await page.mouse.move(900, 700);
  const row = chat.chat(title);
  const text = row.getByText(title, { exact: true });
  /** Pixels between the end of the visible title and the end of the row. */
  const gap = () =>
    text.evaluate((el) => {
      const button = el.closest('button')!;
      const end = el.getBoundingClientRect().right - parseFloat(getComputedStyle(el).paddingRight);
      return button.getBoundingClientRect().right - end;
    });
  expect(await gap()).toBeLessThan(16);
  // Hovered, the buttons show and the title makes room for them.
  await row.hover();
  await expect(chat.history.getByRole('button', { name: `Delete ${title}` })).toBeVisible();
  expect(await gap()).toBeGreaterThanOrEqual(56);
});

test('chats are grouped by date: today, yesterday, last 7 and 30 days, then months', async ({
  page,
}) => {
  await page.clock.setFixedTime(new Date(2026, 10, 30, 12, 0));
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const at = (m: number, d: number) => new Date(2026, m - 1, d, 10).getTime();
  await seed(chat, [
    seedChat('This morning', at(11, 30)),
    seedChat('Last night', new Date(2026, 10, 29, 23, 30).getTime()),
    seedChat('Earlier this week', at(11, 26)),
    seedChat('Mid month', at(11, 10)),
    seedChat('In October', at(10, 15)),
    seedChat('Early October', at(10, 2)),
    seedChat('Summer', at(7, 14)),
  ]);
  const nav = page.getByRole('navigation', { name: 'Chats' });
  await expect(nav.getByRole('heading', { level: 2 })).toHaveText([
    'Today',
    'Yesterday',
    'Previous 7 days',
    'Previous 30 days',
    'October 2026',
    'July 2026',
  ]);
  // Still one list whose items are the chats.
  await expect(chat.history.getByRole('listitem')).toHaveCount(7);
  await expect(chat.history.getByRole('listitem').nth(4)).toContainText('October 2026');
  await expect(chat.history.getByRole('listitem').nth(5)).not.toContainText('October 2026');
});

test('a search hit in what was said shows a snippet and is highlighted in the chat', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const filler = (i: number) => `Paragraph ${i}. ${'Nothing to see in this line. '.repeat(12)}`;
  const texts = Array.from({ length: 30 }, (_, i) =>
    i === 2 ? 'Where is the nearest zebra crossing, please?' : filler(i),
  );
  const now = Date.now();
  await seed(chat, [seedChat('Open one', now), seedChat('Long talk', now - 1000, texts)]);
  await expect(chat.title).toHaveText('Open one');

  await chat.search.fill('zebra');
  await expect(chat.history.getByRole('listitem')).toHaveCount(1);
  const row = chat.chat('Long talk');
  await expect(row.locator('mark')).toHaveText('zebra');
  await expect(row).toContainText('nearest zebra crossing');
  await row.click();
  await expect(chat.title).toHaveText('Long talk');
  await expect
    .poll(() =>
      page.evaluate(() => (CSS.highlights.get('search') as Highlight | undefined)?.size ?? 0),
    )
    .toBeGreaterThan(0);
  await expect(chat.userMessages().filter({ hasText: 'zebra crossing' })).toBeInViewport();

  await chat.search.fill('');
  await expect.poll(() => page.evaluate(() => CSS.highlights.has('search'))).toBe(false);
});

test('delete needs no confirmation, and Undo brings the chat back where it was', async ({
  page,
  context,
}) => {
  test.setTimeout(60_000); // two tabs and a streaming reply on a shared machine
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const now = Date.now();
  await seed(chat, [
    seedChat('First', now, ['One', 'Reply to: One']),
    seedChat('Second', now - 1000, ['Two', 'Reply to: Two']),
    seedChat('Third', now - 2000, ['Three', 'Reply to: Three']),
  ]);
  const other = new ChatPage(await context.newPage());
  await other.goto(APP());
  await expect(other.history.getByRole('listitem')).toHaveCount(3);

  await chat.chat('Second').click();
  await chat.history.getByRole('button', { name: 'Delete Second' }).click();
  await expect(chat.sidebarStatus).toHaveText('Deleted “Second”.');
  await expect(chat.history.getByRole('listitem')).toHaveCount(2);
  await expect(chat.title).toHaveText('New chat');
  await expect(other.history.getByRole('listitem')).toHaveCount(2);

  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(chat.sidebarStatus).toHaveText('Restored “Second”.');
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveCount(0);
  expect(await rowNames(page)).toEqual(['First', 'Second', 'Third']);
  await expect(chat.chat('Second')).toHaveAttribute('aria-current', 'page');
  await expect(chat.userTexts()).toHaveText(['Two']);
  await expect(other.history.getByRole('listitem')).toHaveCount(3);
  await page.reload();
  await expect.poll(async () => (await rowNames(page)).length).toBe(3);
  await expect(chat.title).toHaveText('Second');

  // A chat whose reply is streaming: deleting stops it, Undo brings it back stopped.
  await chat.newChat.click();
  await chat.ask('[[tokens:300]] [[delay:30]] still going');
  await expect(chat.answer()).toHaveAttribute('data-status', 'streaming');
  await chat.history.getByRole('button', { name: /^Delete \[\[tokens/ }).click();
  await expect(chat.history.getByRole('listitem')).toHaveCount(3);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(chat.history.getByRole('listitem')).toHaveCount(4);
  await expect(chat.answer()).toHaveAttribute('data-status', 'stopped');
  await expect(chat.send).toBeVisible();
  expect(dialogs).toEqual([]);
});

test('focus stays on the chat after rename or cancel, and moves to a neighbour after delete', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const now = Date.now();
  await seed(chat, [seedChat('Alpha', now), seedChat('Beta', now - 1), seedChat('Gamma', now - 2)]);

  await chat.history.getByRole('button', { name: 'Rename Beta' }).click();
  const box = chat.history.getByRole('textbox', { name: 'Chat title' });
  await box.fill('Bravo');
  await box.press('Enter');
  await expect(chat.chat('Bravo')).toBeFocused();

  await chat.history.getByRole('button', { name: 'Rename Bravo' }).click();
  await box.fill('Not this');
  await box.press('Escape');
  await expect(chat.chat('Bravo')).toBeFocused();

  // Keyboard only: delete moves to the next row, or the previous one at the end.
  await chat.history.getByRole('button', { name: 'Delete Bravo' }).focus();
  await page.keyboard.press('Enter');
  await expect(chat.chat('Gamma')).toBeFocused();
  await chat.history.getByRole('button', { name: 'Delete Gamma' }).focus();
  await page.keyboard.press('Enter');
  await expect(chat.chat('Alpha')).toBeFocused();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(chat.chat('Gamma')).toBeFocused();
  for (const title of ['Alpha', 'Gamma']) {
    await chat.history.getByRole('button', { name: `Delete ${title}` }).focus();
    await page.keyboard.press('Enter');
  }
  await expect(chat.newChat).toBeFocused();
});

test('export all downloads every chat in one file that imports back', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const now = Date.now();
  await seed(chat, [seedChat('Kept one', now), seedChat('Kept two', now - 1000)]);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export all chats' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^streamchat-\d{4}-\d{2}-\d{2}\.json$/);
  const file = (await download.path())!;
  const data = JSON.parse(await readFile(file, 'utf8')) as {
    app: string;
    version: number;
    conversations: { title: string }[];
  };
  expect([data.app, data.version]).toEqual(['streamchat', 3]);
  expect(data.conversations.map((c) => c.title)).toEqual(['Kept one', 'Kept two']);

  // Bulk delete both, then import the file.
  await page.getByRole('button', { name: 'Select', exact: true }).click();
  await page.getByRole('checkbox', { name: 'Select all' }).check();
  await page.getByRole('button', { name: 'Delete selected (2)' }).click();
  await expect(chat.history).toContainText('No chats yet.');
  await page.getByLabel('Import file').setInputFiles(file);
  await expect(chat.sidebarStatus).toHaveText('Imported 2 chats.');
  expect(await rowNames(page)).toEqual(['Kept one', 'Kept two']);
});

test('select mode deletes several chats at once, with Undo', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const now = Date.now();
  await seed(chat, [seedChat('One', now), seedChat('Two', now - 1), seedChat('Three', now - 2)]);
  await page.getByRole('button', { name: 'Select', exact: true }).click();
  await expect(chat.history.getByRole('listitem')).toHaveCount(3);
  await page.getByRole('checkbox', { name: 'One' }).check();
  await page.getByRole('checkbox', { name: 'Three' }).check();
  await page.getByRole('button', { name: 'Delete selected (2)' }).click();
  await expect(chat.sidebarStatus).toHaveText('Deleted 2 chats.');
  expect(await rowNames(page)).toEqual(['Two']);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(chat.history.getByRole('listitem')).toHaveCount(3);
  expect(await rowNames(page)).toEqual(['One', 'Two', 'Three']);

  // Cancel leaves everything as it was.
  await page.getByRole('button', { name: 'Select', exact: true }).click();
  await page.getByRole('checkbox', { name: 'Two' }).check();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('checkbox')).toHaveCount(0);
  await expect(chat.history.getByRole('listitem')).toHaveCount(3);
});

test('the sidebar can be hidden on a desktop, and stays so after a reload', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await chat.askAndWait('Hello');
  await page.getByRole('button', { name: 'Hide sidebar' }).click();
  await expect(chat.history).toBeHidden();
  const show = page.getByRole('button', { name: 'Show sidebar' });
  await expect(show).toBeFocused();
  await page.reload();
  await expect(chat.message).toBeEditable();
  await expect(show).toBeVisible();
  await expect(chat.history).toBeHidden();
  await show.click();
  await expect(chat.history).toBeVisible();
  await expect(page.getByRole('button', { name: 'Hide sidebar' })).toBeFocused();
  await page.reload();
  await expect(chat.chat('Hello')).toBeVisible();
  await expect(show).toHaveCount(0);
});

async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ rule: v.id, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(colorScheme, () => {
    test.use({ colorScheme });

    test('the sidebar states pass axe; screenshots at desktop and phone width', async ({
      page,
    }, testInfo) => {
      test.setTimeout(60_000);
      const shoot = async (name: string) => {
        const file = path.join(testInfo.project.outputDir, 'screenshots', `sidebar-${name}.png`);
        await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
        await testInfo.attach(name, { path: file, contentType: 'image/png' });
      };
      const chat = new ChatPage(page);
      await chat.goto(APP());
      const now = Date.now();
      await seed(chat, [
        seedChat('Plans for the weekend', now, ['Any ideas?', 'Reply to: Any ideas?']),
        seedChat(`A very long title ${'that goes on and on '.repeat(8)}`, now - DAY),
        seedChat('Zebra crossings', now - 3 * DAY, ['Where is the nearest zebra?', 'Here.']),
        seedChat('Recipe for soup', now - 12 * DAY),
        seedChat('Old notes', now - 80 * DAY),
      ]);
      await chat.ask('[[tokens:400]] [[delay:50]] a reply that streams');
      await expect(chat.answer()).toHaveAttribute('data-status', 'streaming');
      await page.mouse.move(900, 700);
      await chat.remove('Recipe for soup');
      expect(await seriousViolations(page), 'groups, replying, undo').toEqual([]);
      await shoot(`desktop-${colorScheme}`);
      await chat.search.fill('nearest');
      await expect(chat.chat('Zebra crossings').locator('mark')).toBeVisible();
      expect(await seriousViolations(page), 'search snippet').toEqual([]);
      await shoot(`desktop-${colorScheme}-search`);
      await chat.chat('Zebra crossings').click();
      await expect(chat.title).toHaveText('Zebra crossings');
      await shoot(`desktop-${colorScheme}-highlight`);
      await chat.search.fill('');
      await page.getByRole('button', { name: 'Select', exact: true }).click();
      await page.getByRole('checkbox', { name: 'Old notes' }).check();
      expect(await seriousViolations(page), 'select mode').toEqual([]);
      await shoot(`desktop-${colorScheme}-select`);
      await page.getByRole('button', { name: 'Cancel' }).click();

      await page.setViewportSize({ width: 375, height: 740 });
      await page.getByRole('button', { name: 'Open sidebar' }).click();
      await expect(page.getByRole('dialog', { name: 'Chats' })).toBeVisible();
      expect(await seriousViolations(page), 'phone drawer').toEqual([]);
      await shoot(`phone-${colorScheme}-drawer`);
    });
  });
}
