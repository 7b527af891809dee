/**
 * Accessibility: the main flow with the keyboard alone and a visible focus, a live region that
 * announces replies without reading every token, and axe scans in light and dark.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { ChatPage, simRequests } from '../support/chat-page';
import { uniqueTag } from '../support/api';

const APP = () => process.env.APP_URL!;

/** What the focused element looks like: its name and its outline. */
function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    return {
      name: el.getAttribute('aria-label') ?? el.textContent?.trim() ?? '',
      inAnswer: !!el.closest('article[aria-label="Assistant"]'),
      outline: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth),
    };
  });
}

test('the main flow works with the keyboard alone, with a visible focus', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const chat = new ChatPage(page);
  await chat.goto(APP());
  const box = page.locator('form:has(textarea[aria-label="Message"]) > div');
  // The Message box has focus at once; from the top of the page, Tab goes back to it, and every
  // stop on the way shows where focus is.
  await expect(chat.message).toBeFocused();
  await page.evaluate(() => {
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute('tabindex');
  });
  const unfocusedBorder = await box.evaluate((el) => getComputedStyle(el).borderColor);
  const stops: string[] = [];
  for (;;) {
    await page.keyboard.press('Tab');
    if (await chat.message.evaluate((el) => el === document.activeElement)) break;
    const f = await focused(page);
    expect(f, `focus got lost after ${stops.join(' → ')}`).not.toBeNull();
    stops.push(f!.name);
    expect(f!.outline, `no focus outline on "${f!.name}"`).not.toBe('none');
    expect(f!.outlineWidth).toBeGreaterThanOrEqual(2);
    expect(stops.length, 'the Message box is too far').toBeLessThan(15);
  }
  // The Message box shows its focus on its frame.
  expect(await box.evaluate((el) => getComputedStyle(el).borderColor)).not.toBe(unfocusedBorder);

  const tag = uniqueTag('ui-keys');
  await page.keyboard.type(`[[tag:${tag}]] Hello from the keyboard`);
  await page.keyboard.press('Enter');
  await chat.waitForStatus('done');
  await expect(chat.message).toBeFocused();

  // Back to the reply's Copy button.
  for (let i = 0; ; i++) {
    expect(i, 'the Copy button of the reply is too far').toBeLessThan(6);
    await page.keyboard.press('Shift+Tab');
    const f = await focused(page);
    expect(f!.outline, `no focus outline on "${f!.name}"`).not.toBe('none');
    if (f?.inAnswer && f.name === 'Copy') break;
  }
  await page.keyboard.press('Enter');
  await expect
    .poll(() => page.evaluate(() => navigator.clipboard.readText()))
    .toBe('Reply to: Hello from the keyboard');
  await expect(chat.answer().getByRole('button', { name: 'Copied' })).toBeFocused();

  // Space works as well, on Regenerate (the next stop).
  await page.keyboard.press('Tab');
  await expect(chat.answer().getByRole('button', { name: 'Regenerate' })).toBeFocused();
  await page.keyboard.press('Space');
  await expect.poll(async () => (await simRequests(tag)).length).toBe(2);
  await chat.waitForStatus('done');
});

test('the live region announces a reply once, not every token', async ({ page }) => {
  test.slow(); // two 8 s replies
  const chat = new ChatPage(page);
  await chat.goto(APP());
  await expect(chat.announcer).toHaveAttribute('aria-live', 'polite');
  await chat.recordAnnouncements();

  await chat.ask('[[tokens:400]] [[delay:20]]');
  // While it streams, the region only ever says that the assistant is replying.
  await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(100);
  expect(await chat.announcements()).toEqual(['', 'The assistant is replying.']);
  await chat.waitForStatus('done');
  await expect(chat.announcer).toHaveText(/^The assistant replied: Streaming markdown keeps/);
  const said = await chat.announcements();
  expect(said).toHaveLength(3);
  // Read as words, not markdown syntax.
  expect(said[2]).toContain('keeps its shape while it grows, with inline code and a link.');

  await chat.ask('[[delay:0]] [[cut:2]] and now?');
  await chat.waitForStatus('error');
  await expect(chat.announcer).toHaveText(/^The reply failed: /);

  // Opening another chat reads nothing out: between the switches and the next reply, the
  // region says only what that reply says.
  await chat.newChat.click();
  await chat.askAndWait('a second chat');
  await expect(chat.announcer).toHaveText('The assistant replied: Reply to: a second chat');
  const before = (await chat.announcements()).length;
  await chat.chat('[[tokens:400]] [[delay:20]]').click();
  await expect(chat.title).toHaveText('[[tokens:400]] [[delay:20]]');
  await chat.chat('a second chat').click();
  await expect(chat.title).toHaveText('a second chat');
  await chat.answer().getByRole('button', { name: 'Regenerate' }).click();
  await expect.poll(async () => (await chat.announcements()).length).toBeGreaterThan(before + 1);
  await chat.waitForStatus('done');
  expect((await chat.announcements()).slice(before)).toEqual([
    'The assistant is replying.',
    'The assistant replied: Reply to: a second chat',
  ]);
});

async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      rule: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
    }));
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(colorScheme, () => {
    test.use({ colorScheme });

    test('axe finds no serious violations: empty, a finished chat, the phone drawer', async ({
      page,
    }) => {
      const chat = new ChatPage(page);
      await chat.goto(APP());
      const html = expect(page.locator('html'));
      await (colorScheme === 'dark' ? html : html.not).toHaveClass(/\bdark\b/);
      await expect(chat.examples).toBeVisible();
      await expect(chat.model).toBeVisible();
      expect(await seriousViolations(page), 'empty state').toEqual([]);
      await expect(page.getByRole('main')).toContainText('What can I help with?');

      // Settings before the first message, then closed with a prompt set.
      await chat.settings.click();
      await chat.systemPrompt.fill('Answer briefly.');
      await expect(page.getByRole('button', { name: 'Use for new chats' })).toBeVisible();
      expect(await seriousViolations(page), 'settings of a new chat').toEqual([]);
      await chat.settings.click();
      await expect(page.getByRole('button', { name: 'System prompt on' })).toBeVisible();

      await chat.askAndWait('[[reasoning]] [[delay:0]] Think first');
      await chat.askAndWait('[[tokens:120]] [[delay:0]]'); // table, code, list, quote, link
      await chat.ask('[[delay:0]] [[cut:3]] this one fails');
      await chat.waitForStatus('error');
      await page.locator('details summary').first().click(); // the reasoning, opened
      await chat.settings.click();
      await expect(chat.systemPrompt).toBeVisible();
      expect(await seriousViolations(page), 'finished conversation').toEqual([]);

      await page.setViewportSize({ width: 375, height: 740 });
      expect(await seriousViolations(page), 'phone header').toEqual([]);
      await page.getByRole('button', { name: 'Open sidebar' }).click();
      await expect(page.getByRole('dialog', { name: 'Chats' })).toBeVisible();
      expect(await seriousViolations(page), 'phone, drawer open').toEqual([]);
    });
  });
}
