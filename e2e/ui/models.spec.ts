/**
 * Models found on the server, in the browser: pointed at a server that lists its models (and no
 * OPENAI_MODELS), the model picker offers them, a reply on one that is not the default works, and
 * what the server says of a model's vision decides where an image may go.
 */
import { expect, test } from '@playwright/test';
import { ChatPage, type SimRequest } from '../support/chat-page';
import { pngOf } from '../support/files';
import { uniqueTag } from '../support/api';

const DISCOVERY = () => process.env.DISCOVERY_URL!;

/** The requests that reached the listing test server with this tag. */
async function requests(tag: string): Promise<SimRequest[]> {
  const res = await fetch(`${process.env.MODELS_SIMULATOR_URL}/_stats`);
  const { requests } = (await res.json()) as { requests: SimRequest[] };
  return requests.filter((r) => r.tag === tag);
}

test('the picker offers the models the server lists, and one of them answers', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(DISCOVERY());
  await expect(chat.model).toHaveValue('local-small');
  await expect(chat.model.getByRole('option')).toHaveText([
    'local-small',
    'local-vision',
    'llama3.1:8b',
  ]);

  await chat.model.selectOption('llama3.1:8b');
  const tag = uniqueTag('ui-listed');
  await chat.askAndWait(`[[tag:${tag}]] hello`);
  await chat.expectAnswer('Reply to: hello');
  await expect(chat.figures()).toContainText('llama3.1:8b');
  expect((await requests(tag)).map((r) => r.model)).toEqual(['llama3.1:8b']);
});

test('an image goes to the model the server says can see', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(DISCOVERY());
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Attach files' }).click(),
  ]);
  await chooser.setFiles([
    { name: 'photo.png', mimeType: 'image/png', buffer: await pngOf(page, 64, 64) },
  ]);
  const notice = page.getByRole('alert').filter({ hasText: 'cannot see images' });
  await expect(notice).toContainText('local-small cannot see images');
  await notice.getByRole('button', { name: 'Use local-vision' }).click();
  await expect(chat.model).toHaveValue('local-vision');

  const tag = uniqueTag('ui-vision');
  await chat.ask(`[[tag:${tag}]] What is this?`);
  await chat.waitForStatus('done');
  const [sent] = await requests(tag);
  expect(sent?.model).toBe('local-vision');
  expect(sent?.messages.at(-1)?.images).toHaveLength(1);
});
