import { expect, test } from '@playwright/test';
import { ChatPage } from '../support/chat-page';

test('pages carry a Content-Security-Policy the app really works under, and the usual headers', async ({
  page,
}) => {
  // Record every CSP violation the page reports.
  await page.addInitScript(() => {
    (window as unknown as { __csp: string[] }).__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { __csp: string[] }).__csp.push(
        `${e.violatedDirective} ${e.blockedURI}`,
      ),
    );
  });
  const response = await page.goto(process.env.APP_URL!);
  const headers = response!.headers();
  const csp = headers['content-security-policy']!;
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-eval');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(headers['x-frame-options']).toBe('DENY');

  // A fresh nonce per page view.
  const again = await page.request.get(process.env.APP_URL!);
  expect(again.headers()['content-security-policy']).not.toBe(csp);

  // The app works under it: the theme script ran, and a reply streams in.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload();
  await expect(page.locator('html')).toHaveClass(/dark/);
  const chat = new ChatPage(page);
  await chat.ask('[[delay:0]] under a strict policy');
  await chat.waitForStatus('done');
  // A retrying assertion on textContent: right after the end, a finished block may still be one
  // the browser has not laid out (content-visibility), which innerText leaves out.
  await expect(chat.answer().getByTestId('assistant-text')).toHaveText(
    'Reply to: under a strict policy',
  );
  expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);

  // Markup that slipped into the DOM could not run: inline handlers and un-nonced scripts are
  // refused (and reported).
  const ran = await page.evaluate(async () => {
    document.body.insertAdjacentHTML(
      'beforeend',
      '<img src="data:," onerror="window.__injected=true"><div><script>window.__injected=true</script></div>',
    );
    await new Promise((r) => setTimeout(r, 100));
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  expect(ran).toBe(false);
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp.length))
    .toBeGreaterThan(0);
});
