/**
 * Versions of answers: editing a question or regenerating an answer keeps what was there as
 * another version (‹ 1 / 2 ›); the conversation goes on from the version shown, and that path is
 * what the model receives. Versions survive a reload, export and import; replies stream on
 * versions that are not shown, and in several chats at once.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ChatPage, simRequests, words } from '../support/chat-page';
import { uniqueTag } from '../support/api';

const APP = () => process.env.APP_URL!;

const switcher = (scope: { getByRole: Page['getByRole'] }) =>
  scope.getByRole('group', { name: /^Version \d+ of \d+$/ });

test('editing a question makes a version; going back shows the first branch, and goes on from it', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await chat.askAndWait('First question');
  await chat.askAndWait('Second question');

  await chat.userMessages().last().getByRole('button', { name: 'Edit' }).click();
  const box = page.getByRole('textbox', { name: 'Edited message' });
  await box.fill('Second question, edited');
  await box.press('Enter');
  await chat.waitForStatus('done');
  await chat.expectAnswer('Reply to: Second question, edited');
  const question = chat.userMessages().nth(1);
  await expect(switcher(question)).toHaveAccessibleName('Version 2 of 2');
  await expect(question.getByRole('button', { name: 'Next version' })).toBeDisabled();

  // Back to the first version: its question and its answer, unchanged.
  await question.getByRole('button', { name: 'Previous version' }).click();
  await expect(switcher(question)).toHaveAccessibleName('Version 1 of 2');
  await expect(chat.userTexts()).toHaveText(['First question', 'Second question']);
  await chat.expectAnswer('Reply to: Second question');

  // Going on from there sends that path.
  const tag = uniqueTag('ui-branch');
  await chat.askAndWait(`[[tag:${tag}]] Third`);
  const [request] = await simRequests(tag);
  expect(request?.messages.map((m) => m.content)).toEqual([
    'First question',
    'Reply to: First question',
    'Second question',
    'Reply to: Second question',
    `[[tag:${tag}]] Third`,
  ]);

  // The other branch kept its own end.
  await question.getByRole('button', { name: 'Next version' }).click();
  await expect(chat.userTexts()).toHaveText(['First question', 'Second question, edited']);
  await page.reload();
  await expect(switcher(chat.userMessages().last())).toHaveAccessibleName('Version 2 of 2');
  await chat.userMessages().last().getByRole('button', { name: 'Previous version' }).click();
  await expect(chat.userTexts()).toHaveText([
    'First question',
    'Second question',
    `[[tag:${tag}]] Third`,
  ]);

  // Search finds text in every version, also one not shown.
  await chat.search.fill('edited');
  await expect(chat.history.locator('mark')).toHaveText('edited');
});

test('regenerating keeps every version, also after a reload; one can be deleted after asking', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await chat.askAndWait('[[echo]] [[delay:0]] one');
  for (let i = 0; i < 2; i++) {
    await chat.answer().getByRole('button', { name: 'Regenerate' }).click();
    await chat.waitForStatus('done');
  }
  await expect(switcher(chat.answer())).toHaveAccessibleName('Version 3 of 3');
  await page.reload();
  await expect(switcher(chat.answer())).toHaveAccessibleName('Version 3 of 3');
  await chat.answer().getByRole('button', { name: 'Previous version' }).click();
  await expect(switcher(chat.answer())).toHaveAccessibleName('Version 2 of 3');

  // Deleting asks first; keeping changes nothing.
  await chat.answer().getByRole('button', { name: 'Delete version' }).click();
  await chat.answer().getByRole('button', { name: 'Keep' }).click();
  await expect(switcher(chat.answer())).toHaveAccessibleName('Version 2 of 3');
  await chat.answer().getByRole('button', { name: 'Delete version' }).click();
  await chat.answer().getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(switcher(chat.answer())).toHaveAccessibleName('Version 2 of 2');
  await page.reload();
  await expect(switcher(chat.answer())).toHaveAccessibleName('Version 2 of 2');
});

test('regenerating with another model makes a version that names that model', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const tag = uniqueTag('ui-regen-model');
  await chat.askAndWait(`[[tag:${tag}]] Which model?`);
  await expect(chat.figures()).toContainText('test-model');
  await chat
    .answer()
    .getByRole('combobox', { name: 'Regenerate with' })
    .selectOption('other-model');
  await chat.waitForStatus('done');
  await expect(switcher(chat.answer())).toHaveAccessibleName('Version 2 of 2');
  await expect(chat.figures()).toContainText('other-model');
  expect((await simRequests(tag)).map((r) => r.model)).toEqual(['test-model', 'other-model']);
  // The chat's own model is unchanged.
  await expect(chat.model).toHaveValue('test-model');
  await chat.answer().getByRole('button', { name: 'Previous version' }).click();
  await expect(chat.figures()).toContainText('test-model');
  expect(
    await new AxeBuilder({ page })
      .include('article')
      .analyze()
      .then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')),
  ).toEqual([]);
});

test('a reply on a version that is not shown streams on, and resumes after a reload', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await chat.askAndWait('[[delay:0]] Short first');
  const text = words(150);
  // The second version is long (150 words at 40 ms); the first is shown while it streams.
  await chat.userMessages().getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('textbox', { name: 'Edited message' }).fill(`[[echo]] [[delay:40]] ${text}`);
  await page.getByRole('textbox', { name: 'Edited message' }).press('Enter');
  await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(20);
  await chat.userMessages().getByRole('button', { name: 'Previous version' }).click();
  await chat.expectAnswer('Reply to: Short first');
  await page.reload();
  await expect(chat.answer()).toHaveAttribute('data-status', 'done');
  await chat.userMessages().getByRole('button', { name: 'Next version' }).click();
  await chat.waitForStatus('done');
  await chat.expectAnswer(text);
});

test('replies in two chats stream at once in one tab and both finish whole', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const first = words(120);
  const second = Array.from({ length: 120 }, (_, i) => `v${i}`).join(' ');
  // 120 words at 80 ms: about 10 s each, so both are seen streaming at once on a slow machine.
  await chat.ask(`[[echo]] [[delay:80]] ${first}`);
  await chat.newChat.click();
  await chat.ask(`[[echo]] [[delay:80]] ${second}`);
  await expect(chat.history.getByText('(replying)')).toHaveCount(2);
  await chat.waitForStatus('done');
  await chat.expectAnswer(second);
  await chat.history.getByRole('button', { name: /^\[\[echo\]\] \[\[delay:80\]\] w0 w1/ }).click();
  await chat.waitForStatus('done');
  await chat.expectAnswer(first);
});

test('a branched conversation exports and imports as the same tree; Markdown has the path shown', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await chat.askAndWait('Tree to export');
  await chat.answer().getByRole('button', { name: 'Regenerate' }).click();
  await chat.waitForStatus('done');
  await chat.answer().getByRole('button', { name: 'Previous version' }).click();

  await chat.settings.click();
  const download = async (name: string) => {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name }).click(),
    ]);
    return readFile((await file.path())!, 'utf8');
  };
  const exported = JSON.parse(await download('Export JSON')) as {
    version: number;
    conversations: { messages: { id: string; parentId: string | null }[]; selected: object }[];
  };
  expect(exported.version).toBe(3);
  const tree = exported.conversations[0]!;
  expect(tree.messages.map((m) => m.parentId)).toEqual([
    null,
    tree.messages[0]!.id,
    tree.messages[0]!.id,
  ]);
  const markdown = await download('Export Markdown');
  expect(markdown.match(/## Assistant/g)).toHaveLength(1);

  // Import it back after deleting it: the same tree, the same version shown.
  await chat.remove('Tree to export');
  await page.getByLabel('Import file').setInputFiles({
    name: 'tree.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(exported)),
  });
  await expect(chat.title).toHaveText('Tree to export');
  await expect(switcher(chat.answer())).toHaveAccessibleName('Version 1 of 2');
  const again = JSON.parse(await download('Export JSON')) as typeof exported;
  const shape = (e: typeof exported) =>
    e.conversations[0]!.messages.map(({ id, parentId }) => ({ id, parentId }));
  expect(shape(again)).toEqual(shape(exported));
  expect(again.conversations[0]!.selected).toEqual(tree.selected);
});

test.describe('compare', () => {
  test('one message to two models: both stream side by side; picking one goes on from it', async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    const compare = page.getByRole('button', { name: 'Compare', exact: true });
    await compare.click();
    await expect(compare).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByRole('combobox', { name: 'Compare with' })).toHaveValue('other-model');

    const tag = uniqueTag('ui-compare');
    // 30 s long: both still stream when checked, however slow the machine; stopped below.
    await chat.ask(`[[tag:${tag}]] [[tokens:1000]] [[delay:30]] Compare us`);
    const a = page.getByRole('region', { name: 'Answer from test-model' });
    const b = page.getByRole('region', { name: 'Answer from other-model' });
    // Both at once.
    await expect(a.getByRole('article')).toHaveAttribute('data-status', 'streaming');
    await expect(b.getByRole('article')).toHaveAttribute('data-status', 'streaming');
    await expect
      .poll(async () => (await simRequests(tag)).map((r) => r.model).sort())
      .toEqual(['other-model', 'test-model']);
    // Side by side on a desktop.
    const [boxA, boxB] = [(await a.boundingBox())!, (await b.boundingBox())!];
    expect(boxB.x).toBeGreaterThan(boxA.x + boxA.width - 1);
    expect(
      await new AxeBuilder({ page })
        .include('section[aria-label="Compare answers"]')
        .analyze()
        .then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')),
    ).toEqual([]);

    // Each has its own Stop: stopping one leaves the other streaming.
    await a.getByRole('button', { name: 'Stop the answer from test-model' }).click();
    await expect(a.getByRole('article')).toHaveAttribute('data-status', 'stopped');
    await expect(b.getByRole('article')).toHaveAttribute('data-status', 'streaming');
    await b.getByRole('button', { name: 'Stop the answer from other-model' }).click();
    await expect(b.getByRole('article')).toHaveAttribute('data-status', 'stopped');
    await expect(b.getByTestId('figures')).toContainText('other-model');

    await b.getByRole('button', { name: 'Continue with this answer' }).click();
    await expect(page.getByRole('region', { name: 'Compare answers' })).toHaveCount(0);
    await expect(switcher(chat.answer())).toHaveAccessibleName('Version 2 of 2');
    await expect(chat.figures()).toContainText('other-model');

    // Going on sends one answer, the one picked; compare mode still on asks both again.
    await compare.click();
    await expect(compare).toHaveAttribute('aria-pressed', 'false');
    const next = uniqueTag('ui-compare-next');
    await chat.askAndWait(`[[tag:${next}]] And then?`);
    const [request] = await simRequests(next);
    expect(request?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    await page.reload();
    await expect(chat.userMessages()).toHaveCount(2);
  });

  test('on a phone the two answers are stacked', async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 740 });
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await chat.ask('[[delay:0]] Stacked?');
    const a = page.getByRole('region', { name: 'Answer from test-model' });
    const b = page.getByRole('region', { name: 'Answer from other-model' });
    await expect(b.getByRole('button', { name: 'Continue with this answer' })).toBeVisible();
    const [boxA, boxB] = [(await a.boundingBox())!, (await b.boundingBox())!];
    expect(boxB.y).toBeGreaterThanOrEqual(boxA.y + boxA.height);
    expect(boxA.x + boxA.width).toBeLessThanOrEqual(375);
  });
});
