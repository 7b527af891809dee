/**
 * A chat longer than its model's context window: the server leaves the oldest messages out, and
 * the reply says so at that point, also after a reload. DISCOVERY's `local-small` has an
 * 8,192-token window.
 */
import { expect, test } from '@playwright/test';
import { ChatPage } from '../support/chat-page';

const DISCOVERY = () => process.env.DISCOVERY_URL!;

test('a reply whose oldest messages were left out to fit the model says how many', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(DISCOVERY());
  const now = Date.now();
  const prose = 'The quick brown fox jumps over the lazy dog. '.repeat(60);
  const long = {
    id: 'long-chat',
    title: 'A long chat',
    createdAt: now - 60_000,
    updatedAt: now - 60_000,
    model: 'local-small',
    systemPrompt: '',
    messages: Array.from({ length: 30 }, (_, i) => ({
      id: `m${i}`,
      role: i % 2 ? 'assistant' : 'user',
      content: `Message ${i}. ${prose}`,
      status: 'done',
      createdAt: now - 60_000 + i,
    })),
  };
  await page.getByLabel('Import file').setInputFiles({
    name: 'long.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ app: 'streamchat', version: 2, conversations: [long] })),
  });
  await expect(chat.title).toHaveText('A long chat');
  await expect(chat.model).toHaveValue('local-small');

  await chat.ask('And what now?');
  await chat.waitForStatus('done');
  const note = chat.answer().getByRole('note');
  await expect(note).toHaveText(/^\d+ earlier messages were left out to fit the model\.$/);
  const omitted = Number((await note.textContent())!.split(' ')[0]);
  expect(omitted).toBeGreaterThan(0);
  expect(omitted).toBeLessThan(30);

  await page.reload();
  await expect(chat.answer().getByRole('note')).toHaveText(
    `${omitted} earlier messages were left out to fit the model.`,
  );
});
