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
  // The service worker, the code workers and the web app manifest: this origin only.
  expect(csp).toContain("worker-src 'self'");
  expect(csp).toContain("manifest-src 'self'");
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
  // The service worker registered under it too.
  await page.evaluate(() => navigator.serviceWorker.ready);
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

test('no remote image can load: images come from this origin, blob: and data: only', async ({
  page,
}) => {
  await page.addInitScript(() => {
    (window as unknown as { __csp: string[] }).__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { __csp: string[] }).__csp.push(
        `${e.effectiveDirective} ${e.blockedURI}`,
      ),
    );
  });
  const response = await page.goto(process.env.APP_URL!);
  const csp = response!.headers()['content-security-policy']!;
  expect(csp).toContain("img-src 'self' blob: data:;");
  // An image that slipped into the page (an injected tag, or a model's markdown if it were ever
  // rendered as an image) is refused before any request leaves, and reported.
  await page.evaluate(() =>
    document.body.insertAdjacentHTML('beforeend', '<img src="https://example.com/leak.png?q=1">'),
  );
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp))
    .toContain('img-src https://example.com/leak.png?q=1');
  // What attachments use still works.
  const loaded = await page.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        const img = new Image();
        img.onload = () => resolve(true);
        img.onerror = () => resolve(false);
        img.src = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
      }),
  );
  expect(loaded).toBe(true);
});
