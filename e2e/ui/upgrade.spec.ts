/**
 * What people keep survives the upgrade to conversation trees: IndexedDB exactly as the release
 * before trees wrote it (e2e/fixtures/indexeddb-flat-v1.json, captured through that release's UI)
 * opens with every conversation, message, status and setting; the conversation goes on from it;
 * and an export written in that release's format still imports.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { ChatPage, simRequests } from '../support/chat-page';
import { uniqueTag } from '../support/api';

const APP = () => process.env.APP_URL!;

interface FixtureMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  status: string;
  reasoning?: string;
  stopReason?: string;
  error?: { message: string };
}
interface FixtureConversation {
  id: string;
  title: string;
  model?: string;
  systemPrompt: string;
  messages: FixtureMessage[];
}
interface Fixture {
  name: string;
  version: number;
  stores: { name: string; keyPath: string; indexes: { name: string; keyPath: string }[] }[];
  records: FixtureConversation[];
}

const fixture = async (): Promise<Fixture> =>
  JSON.parse(await readFile('e2e/fixtures/indexeddb-flat-v1.json', 'utf8')) as Fixture;

/** Writes the database as the old release left it, before the app's page has opened it. */
async function restore(page: Page, data: Fixture) {
  await page.goto(`${APP()}/api/health`); // same origin, no app code
  await page.evaluate(
    (d) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(d.name, d.version);
        open.onupgradeneeded = () => {
          for (const s of d.stores) {
            const store = open.result.createObjectStore(s.name, { keyPath: s.keyPath });
            for (const i of s.indexes) store.createIndex(i.name, i.keyPath);
          }
        };
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('conversations', 'readwrite');
          for (const r of d.records) tx.objectStore('conversations').put(r);
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    data,
  );
}

test('conversations stored by the release before trees open unchanged after the upgrade', async ({
  page,
}) => {
  const data = await fixture();
  await restore(page, data);
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await expect(chat.history.getByRole('listitem')).toHaveCount(data.records.length);

  for (const c of data.records) {
    await chat.chat(c.title).click();
    await expect(chat.title).toHaveText(c.title);
    const users = c.messages.filter((m) => m.role === 'user');
    const replies = c.messages.filter((m) => m.role === 'assistant');
    await expect(chat.userTexts()).toHaveText(users.map((m) => m.content));
    await expect(chat.assistantMessages()).toHaveCount(replies.length);
    for (const [i, m] of replies.entries()) {
      const article = chat.assistantMessages().nth(i);
      // A reply that was streaming resumes; its old id is gone from this server, so it ends
      // as a reply that could not be resumed, keeping its text.
      const status = m.status === 'streaming' ? 'error' : m.status;
      await expect(article).toHaveAttribute('data-status', status);
      if (m.content) {
        await expect
          .poll(async () =>
            // A code block's button is not part of the text.
            words(
              (await article.getByTestId('assistant-text').innerText()).replaceAll('Copy code', ''),
            ),
          )
          .toEqual(words(m.content));
      }
      if (m.status === 'stopped') await expect(article).toContainText('Stopped');
      if (m.reasoning) await expect(article.getByText('Thought for')).toBeVisible();
      if (m.status === 'error') await expect(article.getByRole('alert')).toBeVisible();
    }
    // No version switcher: a flat conversation is one branch.
    await expect(page.getByRole('button', { name: 'Previous version' })).toHaveCount(0);
  }

  // Settings kept: the system prompt and the model of chat A, used by what is asked next.
  const a = data.records.find((c) => c.systemPrompt)!;
  await chat.chat(a.title).click();
  await expect(chat.model).toHaveValue(a.model!);
  const tag = uniqueTag('ui-upgrade');
  await chat.askAndWait(`[[tag:${tag}]] And now?`);
  const [request] = await simRequests(tag);
  expect(request?.system).toBe(a.systemPrompt);
  expect(request?.model).toBe(a.model);

  // Still there after a reload (now saved as trees).
  await page.reload();
  await chat.chat(a.title).click();
  await expect(chat.userMessages()).toHaveCount(3);
});

test('an export in the format of the release before trees still imports', async ({ page }) => {
  const data = await fixture();
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const done = data.records.filter((c) => c.messages.every((m) => m.status !== 'streaming'));
  const file = JSON.stringify({ app: 'streamchat', version: 1, conversations: done });
  await page.getByLabel('Import file').setInputFiles({
    name: 'old-export.json',
    mimeType: 'application/json',
    buffer: Buffer.from(file),
  });
  await expect(chat.sidebarStatus).toContainText(`Imported ${done.length} chats`);
  await expect(chat.history.getByRole('listitem')).toHaveCount(done.length);
  const first = done[0]!;
  await expect(chat.title).toHaveText(first.title);
  await expect(chat.userTexts()).toHaveText(
    first.messages.filter((m) => m.role === 'user').map((m) => m.content),
  );
});

/** The words of a text, rendered or as markdown (no link targets, no markdown punctuation). */
function words(text: string): string[] {
  return text
    .replace(/\]\([^)]*\)/g, '')
    .replace(/[*_#>|`[\]~-]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}
