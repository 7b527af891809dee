/**
 * Look and feel: the phone layout and its drawer, the theme, following a long reply while it
 * streams, the empty state, and the demo banner.
 */
import { expect, test } from '@playwright/test';
import { ChatPage } from '../support/chat-page';

const APP = () => process.env.APP_URL!;

test.describe('on a phone', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('the sidebar is a drawer opened from the header', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.askAndWait('A chat on the phone');
    await expect(chat.history).toBeHidden();
    const open = page.getByRole('button', { name: 'Open sidebar' });
    const drawer = page.getByRole('dialog', { name: 'Chats' });

    await open.click();
    await expect(drawer).toBeVisible();
    await expect(open).toHaveAttribute('aria-expanded', 'true');
    await expect(drawer.getByRole('list', { name: 'Chat history' })).toBeVisible();
    // Focus moves into the drawer, and Escape closes it, back to the button.
    await expect(drawer.getByRole('button', { name: 'New chat' })).toBeFocused();
    // Behind it, nothing can be reached with the keyboard.
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      const outside = await page.evaluate(
        () =>
          document.activeElement !== document.body &&
          !document.activeElement?.closest('[role="dialog"]'),
      );
      expect(outside, `Tab ${i + 1} left the drawer`).toBe(false);
    }
    await drawer.getByRole('searchbox', { name: 'Search chats' }).focus();
    await page.keyboard.press('Escape');
    await expect(drawer).toBeHidden();
    await expect(open).toBeFocused();

    // Choosing something closes it.
    await open.click();
    await drawer.getByRole('button', { name: 'New chat' }).click();
    await expect(drawer).toBeHidden();
    await expect(chat.title).toHaveText('New chat');
    await open.click();
    await drawer.getByRole('button', { name: 'A chat on the phone', exact: true }).click();
    await expect(drawer).toBeHidden();
    await expect(chat.title).toHaveText('A chat on the phone');

    // Tapping outside closes it too.
    await open.click();
    await page.mouse.click(360, 400);
    await expect(drawer).toBeHidden();
  });

  test('nothing is wider than the screen', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    await chat.askAndWait('[[tokens:120]] [[delay:0]]'); // a table, code, a long link
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    for (const control of [chat.message, chat.send, chat.model, chat.theme, chat.settings]) {
      const box = (await control.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(375);
    }
  });
});

test('the theme toggle switches between light and dark, and is remembered', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const html = page.locator('html');
  await expect(chat.theme).toHaveAccessibleName('Theme: System');
  await expect(html).not.toHaveClass(/\bdark\b/); // the browser prefers light

  await chat.theme.click();
  await expect(chat.theme).toHaveAccessibleName('Theme: Light');
  await expect(html).not.toHaveClass(/\bdark\b/);
  await chat.theme.click();
  await expect(chat.theme).toHaveAccessibleName('Theme: Dark');
  await expect(html).toHaveClass(/\bdark\b/);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(await background()).not.toBe('rgb(255, 255, 255)');

  await page.reload();
  await expect(html).toHaveClass(/\bdark\b/);
  await expect(chat.theme).toHaveAccessibleName('Theme: Dark');

  await chat.theme.click();
  await expect(chat.theme).toHaveAccessibleName('Theme: System');
  await expect(html).not.toHaveClass(/\bdark\b/);
  expect(await background()).toBe('rgb(255, 255, 255)');

  // "System" follows the system.
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(html).toHaveClass(/\bdark\b/);
});

test('a streaming reply is followed until the person scrolls up; "Jump to latest" goes back', async ({
  page,
}) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  // Long enough (30 s) that it is still streaming when the test stops it, even on a slow machine.
  await chat.ask('[[tokens:3000]] [[delay:10]]');
  const height = () => chat.scroller().evaluate((el) => el.scrollHeight);
  const viewport = await chat.scroller().evaluate((el) => el.clientHeight);

  // While the reply grows past the screen, the view stays at its bottom. It follows after layout
  // (a ResizeObserver), so a read between React's commit and the next frame may see one update's
  // growth: poll for what is painted.
  await expect.poll(height, { intervals: [50] }).toBeGreaterThan(viewport + 300);
  for (let i = 0; i < 3; i++) {
    const before = await height();
    await expect.poll(height, { intervals: [50] }).toBeGreaterThan(before);
    await expect.poll(() => chat.distanceFromBottom()).toBeLessThan(40);
  }
  await expect(chat.jumpToLatest).toHaveCount(0);

  // The person scrolls up: it stops following and offers to jump back.
  await chat.scroller().hover();
  await page.mouse.wheel(0, -400);
  await expect.poll(() => chat.distanceFromBottom()).toBeGreaterThan(300);
  await expect(chat.jumpToLatest).toBeVisible();
  const top = await chat.scroller().evaluate((el) => el.scrollTop);
  const before = await height();
  await expect.poll(height, { intervals: [50] }).toBeGreaterThan(before + 100);
  expect(await chat.scroller().evaluate((el) => el.scrollTop)).toBe(top);
  expect(await chat.distanceFromBottom()).toBeGreaterThan(100);
  await expect(chat.answer()).toHaveAttribute('data-status', 'streaming');

  // "Jump to latest" brings the view back to the bottom, and it follows again.
  await chat.jumpToLatest.click();
  await expect(chat.jumpToLatest).toHaveCount(0);
  await expect.poll(() => chat.distanceFromBottom()).toBeLessThan(40);
  const later = await height();
  await expect.poll(height, { intervals: [50] }).toBeGreaterThan(later);
  await expect.poll(() => chat.distanceFromBottom()).toBeLessThan(40);
  await expect(chat.answer()).toHaveAttribute('data-status', 'streaming');
  await chat.stop.click();
  await chat.waitForStatus('stopped');
  await expect.poll(() => chat.distanceFromBottom()).toBeLessThan(40);
  await expect(chat.jumpToLatest).toHaveCount(0);
});

test('the empty state offers example prompts; one click sends it', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await expect(page.getByRole('heading', { name: 'What can I help with?' })).toBeVisible();
  const examples = chat.examples.getByRole('button');
  await expect(examples).toHaveCount(4);
  await examples.filter({ hasText: 'What can you do?' }).click();
  await expect(chat.userTexts()).toHaveText(['What can you do?']);
  await chat.waitForStatus('done');
  await chat.expectAnswer('Reply to: What can you do?');
  await expect(chat.examples).toHaveCount(0);
  await expect(chat.chat('What can you do?')).toBeVisible();
});

test('a banner says when the app runs on its demo model, and only then', async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto(process.env.DEMO_URL!);
  await expect(page.getByRole('note')).toContainText('built-in demo model');
  await chat.goto(APP());
  await expect(page.getByRole('note')).toHaveCount(0);
});
