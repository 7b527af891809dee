/**
 * The frame around the conversation, as a demanding person uses it: the keyboard alone, the
 * header on a phone, the demo banner, settings before the first message, choices that are kept,
 * the tab's title and other tabs following the theme.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { ChatPage, simRequests } from '../support/chat-page';
import { uniqueTag } from '../support/api';

const APP = () => process.env.APP_URL!;
const LONG_MODEL = 'meta-llama/Llama-3.3-70B-Instruct-Turbo-long-context';

test.describe('keyboard', () => {
  test('load, type and send without the mouse; the skip link leads to the message box', async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    // Typing at once goes to the message box.
    await expect(chat.message).toBeFocused();
    await page.keyboard.type('Typed at once');
    await page.keyboard.press('Enter');
    await expect(chat.userTexts()).toHaveText(['Typed at once']);
    await chat.waitForStatus('done');

    // From the top of the page, the first Tab reaches the skip link, and it leads to the box.
    await page.reload();
    await expect(chat.message).toBeFocused();
    await page.evaluate(() => {
      document.body.tabIndex = -1;
      document.body.focus();
      document.body.removeAttribute('tabindex');
    });
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to the message box' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport(); // visible while focused
    await page.keyboard.press('Enter');
    await expect(chat.message).toBeFocused();
    await expect(chat.title).toHaveText('Typed at once'); // the open chat did not change
  });

  test('Escape stops a streaming reply from anywhere on the page', async ({ page }) => {
    const chat = new ChatPage(page);
    const tag = uniqueTag('ui-esc-anywhere');
    await chat.goto(APP());
    await chat.ask(`[[tag:${tag}]] [[tokens:3000]] [[delay:10]]`);
    await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(20);
    // Focus on a button far from the message box (the theme toggle), then Escape.
    await chat.theme.focus();
    await page.keyboard.press('Escape');
    await chat.waitForStatus('stopped');
    await expect.poll(async () => (await simRequests(tag))[0]?.clientClosed).toBe(true);
    await expect(chat.theme).toBeFocused(); // focus stays where it was

    // With nothing focused (a click on the conversation's text), too.
    await chat.ask('[[tokens:3000]] [[delay:10]]');
    await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(20);
    await chat.userTexts().last().click();
    await page.keyboard.press('Escape');
    await chat.waitForStatus('stopped');
  });

  test('a message sent while scrolled up is shown, and its reply followed', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.askAndWait('[[tokens:400]] [[delay:0]]');
    await chat.scroller().evaluate((el) => el.scrollTo({ top: 0 }));
    await expect.poll(() => chat.distanceFromBottom()).toBeGreaterThan(400);
    await chat.ask('A question from up there');
    await expect(chat.userMessages().last()).toBeInViewport();
    await chat.waitForStatus('done');
    await expect.poll(() => chat.distanceFromBottom()).toBeLessThan(40);
    await expect(chat.jumpToLatest).toHaveCount(0);
  });
});

test.describe('phone', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('the title stays readable beside a long model name', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.model.selectOption(LONG_MODEL);
    await chat.askAndWait('A chat on the phone');
    await expect(chat.title).toHaveText('A chat on the phone');
    const title = (await chat.title.boundingBox())!;
    expect(title.width).toBeGreaterThan(180);
    // Not cut: the whole title fits.
    expect(await chat.title.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    // Every control is on screen.
    for (const control of [chat.model, chat.settings, chat.theme]) {
      const box = (await control.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(375);
    }
  });

  test('the demo banner is short and can be dismissed for good', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(process.env.DEMO_URL!);
    const banner = page.getByRole('note');
    await expect(banner).toContainText('built-in demo model');
    expect((await banner.boundingBox())!.height).toBeLessThanOrEqual(60);
    const { violations } = await new AxeBuilder({ page }).include('[role="note"]').analyze();
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await expect(banner).toHaveCount(0);
    await page.reload();
    await expect(chat.message).toBeEditable();
    await expect(page.getByRole('note')).toHaveCount(0);
  });
});

test.describe('settings and choices', () => {
  test('a new chat can start with a system prompt, and new chats can start with a default one', async ({
    page,
  }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    // Before the first message.
    await chat.settings.click();
    await chat.systemPrompt.fill('Answer in French.');
    await chat.settings.click(); // closed: something still says a prompt is on
    const on = page.getByRole('button', { name: 'System prompt on' });
    await expect(on).toBeVisible();
    const first = uniqueTag('ui-draft-prompt');
    await chat.askAndWait(`[[tag:${first}]] hello`);
    expect((await simRequests(first))[0]?.system).toBe('Answer in French.');
    await on.click(); // opens the settings
    await expect(chat.systemPrompt).toHaveValue('Answer in French.');

    // A new chat starts with none, until a default is chosen; the default is kept.
    await chat.newChat.click();
    await expect(chat.systemPrompt).toHaveValue('');
    await expect(on).toHaveCount(0);
    await chat.systemPrompt.fill('Be brief.');
    await page.getByRole('button', { name: 'Use for new chats' }).click();
    await page.reload();
    await chat.newChat.click();
    await expect(on).toBeVisible();
    await on.click();
    await expect(chat.systemPrompt).toHaveValue('Be brief.');
    const second = uniqueTag('ui-default-prompt');
    await chat.askAndWait(`[[tag:${second}]] hi`);
    expect((await simRequests(second))[0]?.system).toBe('Be brief.');

    // The settings panel is no wider than the conversation column.
    const panel = (await page
      .getByRole('region', { name: 'Chat settings' })
      .locator('textarea')
      .boundingBox())!;
    const column = (await page.getByRole('region', { name: 'Conversation' }).boundingBox())!;
    expect(panel.width).toBeLessThanOrEqual(column.width);
  });

  test('the model chosen for new chats is kept after a reload', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.model.selectOption('other-model');
    await page.reload();
    await expect(chat.model).toHaveValue('other-model');
  });

  test('the tab is named after the open chat', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await expect(page).toHaveTitle('StreamChat');
    await chat.askAndWait('Name the tab');
    await expect(page).toHaveTitle('Name the tab · StreamChat');
    await chat.newChat.click();
    await expect(page).toHaveTitle('StreamChat');
  });

  test('another tab follows a theme change', async ({ page, context }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    const other = await context.newPage();
    await new ChatPage(other).goto(APP());
    await expect(other.locator('html')).not.toHaveClass(/\bdark\b/);
    await chat.theme.click(); // light
    await chat.theme.click(); // dark
    await expect(other.locator('html')).toHaveClass(/\bdark\b/);
    await expect(other.getByRole('button', { name: 'Theme: Dark' })).toBeVisible();
  });
});
