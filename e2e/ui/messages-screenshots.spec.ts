/**
 * Screenshots of the message states of e2e/ui/messages.spec.ts, desktop and phone, light and
 * dark, kept as test artifacts (test-results/…/screenshots/messages-*.png) for people to look at:
 * a long URL and right-to-left text in bubbles, the Retry countdown and the length counter, an
 * operator-only error, reasoning while it streams and folded, the reconnecting notice.
 */
import path from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { ChatPage, simRequests } from '../support/chat-page';
import { APP, uniqueTag } from '../support/api';
import { startTcpProxy } from '../support/tcp-proxy';

const sizes = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 375, height: 740 },
} as const;

async function shootBoth(page: Page, testInfo: TestInfo, name: string) {
  for (const [device, viewport] of Object.entries(sizes)) {
    await page.setViewportSize(viewport);
    await page.mouse.move(0, 0);
    const file = path.join(
      testInfo.project.outputDir,
      'screenshots',
      `messages-${name}-${device}.png`,
    );
    await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
    await testInfo.attach(`${name}-${device}`, { path: file, contentType: 'image/png' });
  }
  await page.setViewportSize(sizes.desktop);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(colorScheme, () => {
    test.use({ colorScheme });

    test('screenshots of message states', async ({ page, context }, testInfo) => {
      test.setTimeout(90_000);
      const chat = new ChatPage(page);
      const shoot = (name: string) => shootBoth(page, testInfo, `${colorScheme}-${name}`);
      // Through a proxy that can cut the reply's connection (for the reconnecting notice).
      const proxy = await startTcpProxy(Number(new URL(APP()).port));
      await chat.goto(proxy.url);

      await chat.askAndWait(
        `[[echo]] [[delay:0]] https://example.com/${'a1b2c3d4e5'.repeat(20)}?q=1`,
      );
      await chat.askAndWait('[[echo]] [[delay:0]] مرحبا بالعالم، كيف حالك اليوم؟');
      await chat.ask('[[status:429]] [[retry-after:60]] Hello');
      await chat.waitForStatus('error');
      await shoot('countdown');
      await chat.message.fill('x'.repeat(20_001));
      await expect(page.getByTestId('length-counter')).toBeVisible();
      await shoot('counter');
      await chat.message.fill('');

      await chat.newChat.click();
      await chat.ask('[[status:401]] Hello');
      await chat.waitForStatus('error');
      await shoot('operator-error');

      await chat.newChat.click();
      await chat.ask('[[reasoning]] [[delay:300]] Why?');
      await expect(chat.answer().getByRole('region', { name: 'Thinking…' })).toContainText(
        'think about',
      );
      await shoot('reasoning-live');
      await chat.waitForStatus('done');
      await shoot('reasoning-done');
      const tag = uniqueTag('ui-shots-offline');
      await chat.ask(`[[tag:${tag}]] [[tokens:600]] [[delay:30]]`);
      await expect.poll(async () => (await chat.answerText()).length).toBeGreaterThan(100);
      await context.setOffline(true);
      proxy.dropAll();
      await expect(chat.answer().getByRole('status')).toContainText('Reconnecting');
      await shoot('reconnecting-offline');
      // Offline for longer than the server's grace period: the server ends it meanwhile.
      await expect
        .poll(async () => (await simRequests(tag))[0]?.clientClosed, { timeout: 20_000 })
        .toBe(true);
      await context.setOffline(false);
      await chat.waitForStatus('stopped');
      await shoot('stopped-by-server');
      await proxy.close();
    });
  });
}
