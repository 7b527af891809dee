import { expect, test } from '@playwright/test';
import { ChatPage } from '../support/chat-page';

test('with an access code, the UI asks for it once, then chats (EventSource sends the cookie)', async ({
  page,
}) => {
  await page.goto(process.env.PRIVATE_URL!);
  const code = page.getByLabel('Access code');
  await expect(code).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Message' })).toHaveCount(0);

  await code.fill('not-the-code');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not right' })).toBeVisible();

  await code.fill(process.env.TEST_ACCESS_CODE!);
  await page.getByRole('button', { name: 'Continue' }).click();
  const chat = new ChatPage(page);
  await expect(chat.message).toBeEditable();
  await chat.ask('[[delay:0]] behind the gate');
  await chat.waitForStatus('done');
  expect(await chat.answerText()).toBe('Reply to: behind the gate');

  // Once is enough: a reload goes straight to the chat.
  await page.reload();
  await expect(chat.message).toBeEditable();
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === 'streamchat_access')).toMatchObject({ httpOnly: true });
});
