/**
 * Screenshots of a finished demo conversation, on a desktop and a phone, light and dark, kept as
 * test artifacts (test-results/screenshots/*.png, also attached to the report) for people to look
 * at. The checks here are the layout rules a screenshot would show broken.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ChatPage } from '../support/chat-page';

const sizes = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 375, height: 740 },
} as const;

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(colorScheme, () => {
    test.use({ colorScheme });

    test('screenshots of a finished demo conversation, desktop and phone', async ({
      page,
    }, testInfo) => {
      const chat = new ChatPage(page);
      const shoot = async (name: string) => {
        const file = path.join(testInfo.project.outputDir, 'screenshots', `${name}.png`);
        await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
        await testInfo.attach(name, { path: file, contentType: 'image/png' });
      };
      await chat.goto(process.env.DEMO_URL!);
      await expect(chat.model).toHaveValue('demo');
      await shoot(`desktop-${colorScheme}-empty`);
      await chat.askAndWait('Hello there! What can you do?');
      await expect(page.getByRole('note')).toContainText('built-in demo model');
      await expect(chat.answer().getByRole('table')).toBeVisible();
      await page.mouse.move(0, 0);

      for (const [device, viewport] of Object.entries(sizes)) {
        await page.setViewportSize(viewport);
        await chat.scroller().evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
        await expect.poll(() => chat.distanceFromBottom()).toBeLessThan(2);
        await shoot(`${device}-${colorScheme}-end`);
        await chat.scroller().evaluate((el) => el.scrollTo({ top: 0 }));
        await expect.poll(() => chat.scroller().evaluate((el) => el.scrollTop)).toBe(0);
        await shoot(`${device}-${colorScheme}-top`);

        // Nothing sticks out sideways; the header and the composer stay on screen.
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow, device).toBe(0);
        for (const control of [chat.message, chat.send, chat.theme, chat.settings]) {
          const box = (await control.boundingBox())!;
          expect(box.x).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
          expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
        }
      }
      await page.getByRole('button', { name: 'Open sidebar' }).click();
      await expect(page.getByRole('dialog', { name: 'Chats' })).toBeVisible();
      await shoot(`phone-${colorScheme}-drawer`);
    });
  });
}
