/**
 * Generation settings of a chat (Settings → Answers): what is set reaches the model as the
 * request's `params`, in the upstream's own form, and stays with the chat after a reload; empty
 * fields send nothing. APP_RESPONSES is the same app on the Responses API.
 */
import { expect, test } from '@playwright/test';
import { ChatPage } from '../support/chat-page';
import { uniqueTag } from '../support/api';

interface Recorded {
  tag?: string;
  api: string;
  params: { temperature?: number; maxTokens?: number; reasoningEffort?: string };
}

async function recorded(tag: string): Promise<Recorded[]> {
  const res = await fetch(`${process.env.SIMULATOR_URL}/_stats`);
  const { requests } = (await res.json()) as { requests: Recorded[] };
  return requests.filter((r) => r.tag === tag);
}

for (const [dialect, api, url] of [
  ['chat-completions', 'chat.completions', () => process.env.APP_URL!],
  ['responses', 'responses', () => process.env.APP_RESPONSES_URL!],
] as const) {
  test(`settings chosen in the UI reach the model (${dialect}) and stay with the chat`, async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto(url());
    const none = uniqueTag('gen-none');
    await chat.askAndWait(`[[tag:${none}]] defaults`);
    await expect.poll(async () => (await recorded(none)).length).toBe(1);
    expect((await recorded(none))[0]!.params).toEqual({});

    await chat.settings.click();
    const answers = page.getByRole('group', { name: 'Answers' });
    await answers.getByRole('spinbutton', { name: 'Temperature' }).fill('0.3');
    await answers.getByRole('spinbutton', { name: 'Longest answer (tokens)' }).fill('500');
    await answers.getByRole('combobox', { name: 'Reasoning effort' }).selectOption('low');
    const tag = uniqueTag('gen');
    await chat.askAndWait(`[[tag:${tag}]] with settings`);
    await expect.poll(async () => (await recorded(tag)).length).toBe(1);
    const got = (await recorded(tag))[0]!;
    expect(got.api).toBe(api);
    expect(got.params).toEqual({ temperature: 0.3, maxTokens: 500, reasoningEffort: 'low' });

    await page.reload();
    await chat.settings.click();
    await expect(answers.getByRole('spinbutton', { name: 'Temperature' })).toHaveValue('0.3');
    await expect(answers.getByRole('combobox', { name: 'Reasoning effort' })).toHaveValue('low');
    await answers.getByRole('button', { name: "Use the model's defaults" }).click();
    await expect(answers.getByRole('spinbutton', { name: 'Temperature' })).toHaveValue('');
    const reset = uniqueTag('gen-reset');
    await chat.askAndWait(`[[tag:${reset}]] defaults again`);
    await expect.poll(async () => (await recorded(reset)).length).toBe(1);
    expect((await recorded(reset))[0]!.params).toEqual({});
  });
}

test('an answer cut at the longest-answer setting says so, and Continue asks for the rest', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(process.env.APP_URL!);
  await chat.settings.click();
  const answers = page.getByRole('group', { name: 'Answers' });
  await answers.getByRole('spinbutton', { name: 'Longest answer (tokens)' }).fill('12');
  const text = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
  await chat.askAndWait(`[[echo]] [[delay:0]] ${text}`);
  const cut = chat.answer().getByText('The answer reached its length limit');
  await expect(cut).toBeVisible();
  const first = await chat.answerText();
  expect(text.startsWith(first.trim())).toBe(true);
  expect(first.length).toBeLessThan(text.length);

  await chat.answer().getByRole('button', { name: 'Continue' }).click();
  await chat.waitForStatus('done');
  await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(first.length);
  expect(text.startsWith((await chat.answerText()).trim())).toBe(true);

  // A complete answer carries no such note.
  if (!(await answers.isVisible())) await chat.settings.click();
  await answers.getByRole('button', { name: "Use the model's defaults" }).click();
  await chat.askAndWait('[[echo]] [[delay:0]] short and whole');
  await expect(chat.answer()).toHaveAttribute('data-status', 'done');
  await expect(chat.answer().getByText('The answer reached its length limit')).toHaveCount(0);
});
