/**
 * Installable and useful offline: the web app manifest and its icons; a service worker that
 * keeps the app shell only — replies still stream token by token with it in control, straight
 * from the network — and opens the app offline with the stored conversations and a plain notice
 * that sending needs a connection; back online, a message is sent and answered. A new build
 * replaces the old one's worker and cache at the next load.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { ChatPage, words } from '../support/chat-page';
import { freePort, waitForHttp } from '../support/ports';
import { baseEnv, SERVER, startProcess } from '../support/servers';

const APP = () => process.env.APP_URL!;

/** Waits until the service worker is active and controls the page (clients.claim). */
function controlled(page: Page) {
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
      );
    }
    return navigator.serviceWorker.controller!.scriptURL;
  });
}

test('a web app manifest: name, standalone, icons at 192 and 512 px and a maskable one; theme colours for light and dark', async ({
  page,
  request,
}) => {
  await page.goto(APP());
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  const res = await request.get(new URL(href!, APP()).href);
  expect(res.ok()).toBe(true);
  const manifest = (await res.json()) as {
    name: string;
    short_name: string;
    display: string;
    start_url: string;
    icons: { src: string; sizes: string; type: string; purpose?: string }[];
  };
  expect(manifest).toMatchObject({
    name: 'StreamChat',
    short_name: 'StreamChat',
    display: 'standalone',
    start_url: '/',
  });
  const png = manifest.icons.filter((i) => i.type === 'image/png');
  expect(png.map((i) => [i.sizes, i.purpose ?? 'any']).sort()).toEqual([
    ['192x192', 'any'],
    ['512x512', 'any'],
    ['512x512', 'maskable'],
  ]);
  for (const icon of png) {
    const image = await request.get(new URL(icon.src, APP()).href);
    expect(image.headers()['content-type']).toBe('image/png');
    const bytes = await image.body();
    // The PNG header (IHDR) says the size the manifest claims.
    const size = `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
    expect(size).toBe(icon.sizes);
  }
  const themes = await page
    .locator('meta[name="theme-color"]')
    .evaluateAll((metas) => metas.map((m) => [m.getAttribute('media'), m.getAttribute('content')]));
  expect(themes).toEqual([
    ['(prefers-color-scheme: light)', '#ffffff'],
    ['(prefers-color-scheme: dark)', '#09090b'],
  ]);
});

test('with the service worker in control replies stream token by token; offline the app opens with the stored chats and says sending needs a connection; back online it sends', async ({
  page,
  context,
}) => {
  test.setTimeout(60_000);
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text());
  });
  const chat = new ChatPage(page);
  await chat.goto(APP());
  expect(await controlled(page)).toBe(`${APP()}/sw.js`);

  // Online, the page comes from the network through the worker (network first): a fresh page
  // each load (a new CSP nonce), never a stored one.
  const nonceOf = (csp: string | undefined) => /'nonce-([^']+)'/.exec(csp ?? '')?.[1];
  const load = async () => {
    const response = (await page.reload())!;
    expect(response.fromServiceWorker()).toBe(true);
    return nonceOf(response.headers()['content-security-policy']);
  };
  const [one, two] = [await load(), await load()];
  expect(one).toBeTruthy();
  expect(one).not.toBe(two);
  await expect(chat.message).toBeEditable();

  // A reply streams token by token as without the worker, which never answers for the API.
  await page.evaluate(() => {
    const lengths = new Set<number>();
    (window as unknown as { __lengths: Set<number> }).__lengths = lengths;
    const sample = () => {
      const text = [...document.querySelectorAll('[data-testid="assistant-text"]')].at(-1);
      lengths.add(text?.textContent?.length ?? 0);
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
  const stream = page.waitForResponse((r) => /\/api\/chat\/[^/]+\/stream/.test(r.url()));
  const text = words(150);
  await chat.ask(`[[echo]] [[delay:40]] ${text}`);
  expect((await stream).fromServiceWorker()).toBe(false);
  await chat.waitForStatus('done');
  await expect(chat.answer().getByTestId('assistant-text')).toHaveText(text);
  const seen = await page.evaluate(() => [
    ...(window as unknown as { __lengths: Set<number> }).__lengths,
  ]);
  const partial = seen.filter((n) => n > 0 && n < text.length);
  expect(partial.length).toBeGreaterThanOrEqual(5);

  // Offline: the app opens from the worker's copy, with the stored chat, and says so.
  await context.setOffline(true);
  // The copy of the last page loaded online (its nonce in its policy and its scripts alike).
  expect(await load()).toBe(two);
  await expect(chat.message).toBeEditable();
  await expect(chat.history.getByRole('listitem')).toHaveCount(1);
  await expect(chat.userMessages()).toHaveCount(1);
  await expect(chat.answer().getByTestId('assistant-text')).toHaveText(text);
  const notice = page.getByRole('status').filter({ hasText: 'You are offline.' });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('sending needs a connection');
  await chat.message.fill('[[delay:0]] back online');
  await expect(chat.send).toBeDisabled();
  await chat.message.press('Enter');
  await expect(chat.userMessages()).toHaveCount(1); // nothing was sent
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const html = expect(page.locator('html'));
    await (colorScheme === 'dark' ? html : html.not).toHaveClass(/\bdark\b/);
    const { violations } = await new AxeBuilder({ page }).include('form').analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      serious.map((v) => v.id),
      `offline notice, ${colorScheme}`,
    ).toEqual([]);
  }

  // Back online: Send is there again, without a reload.
  await context.setOffline(false);
  await expect(notice).toHaveCount(0);
  await expect(chat.send).toBeEnabled();
  await chat.send.click();
  await chat.waitForStatus('done');
  await expect(chat.answer().getByTestId('assistant-text')).toHaveText('Reply to: back online');
  // The model list, missing while offline, came back with the connection.
  await expect(chat.model).toBeVisible();
  expect(violations).toEqual([]);
});

test('a new build takes effect at the next load; its worker replaces the old one and leaves no stale shell', async ({
  page,
  context,
}) => {
  test.slow(); // two app processes started here
  // Two builds on one origin: this build, then a copy of it whose worker is a new version (as
  // a deploy makes: the worker's bytes change with the build id).
  const buildId = readFileSync('.next/BUILD_ID', 'utf8').trim();
  // Beside the build (hard links need one file system; a plain copy where they fail).
  mkdirSync('test-results', { recursive: true });
  const next = resolve(mkdtempSync(join('test-results', 'next-build-')));
  const from = `${dirname(SERVER)}/.`;
  if (spawnSync('cp', ['-al', from, next]).status !== 0) {
    expect(spawnSync('cp', ['-a', from, next]).status).toBe(0);
  }
  const worker = join(next, 'public', 'sw.js');
  const source = readFileSync(worker, 'utf8');
  expect(source).toContain(`const VERSION = '${buildId}';`);
  unlinkSync(worker); // a hard link: the original stays as it is
  writeFileSync(worker, source.replace(`'${buildId}'`, `'${buildId}-next'`));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...baseEnv(),
    PORT: String(port),
    OPENAI_API_KEY: process.env.TEST_API_KEY!,
    OPENAI_BASE_URL: `${process.env.SIMULATOR_URL}/v1`,
    OPENAI_MODEL: 'test-model',
  };
  const start = async (name: string, server: string) => {
    const child = startProcess(name, [server], env);
    await waitForHttp(`${url}/api/health`);
    return child;
  };
  let app = await start('pwa-build-1', SERVER);
  try {
    const chat = new ChatPage(page);
    await chat.goto(url);
    await controlled(page);
    await chat.askAndWait('[[delay:0]] Before the deploy');
    const shells = () =>
      page.evaluate(async () =>
        (await caches.keys()).filter((name) => name.startsWith('streamchat-')),
      );
    await expect.poll(shells).toEqual([`streamchat-shell-${buildId}`]);
    const before = (await page.reload())!.headers()['content-security-policy'];

    // The deploy: the old process goes, the new build answers on the same address.
    app.kill('SIGKILL');
    await new Promise((resolve) => app.once('exit', resolve));
    app = await start('pwa-build-2', join(next, 'server.js'));

    // The next load is the new build's page (network first, never the stored copy) …
    const response = (await page.reload())!;
    expect(response.status()).toBe(200);
    expect(response.headers()['content-security-policy']).not.toBe(before);
    await expect(chat.userTexts()).toHaveText(['[[delay:0]] Before the deploy']);
    // … and the new worker takes over: the old build's cache is gone; the new one has the page
    // and every script the page loaded (through the old worker, before the new one took over).
    await expect.poll(shells).toEqual([`streamchat-shell-${buildId}-next`]);
    const missing = () =>
      page.evaluate(async (name) => {
        const cache = await caches.open(name);
        const scripts = [...document.scripts]
          .filter((s) => !s.noModule) // the legacy polyfills, which this browser never loads
          .map((s) => s.src)
          .filter((src) => src.startsWith(`${location.origin}/_next/static/`));
        const wanted = [`${location.origin}/`, ...scripts];
        const held = await Promise.all(wanted.map((url) => cache.match(url, { ignoreVary: true })));
        return wanted.filter((_, i) => !held[i]);
      }, `streamchat-shell-${buildId}-next`);
    await expect.poll(missing).toEqual([]);

    // Offline, the app opens from the new build's shell.
    await context.setOffline(true);
    await page.reload();
    await expect(chat.message).toBeEditable();
    await expect(chat.userTexts()).toHaveText(['[[delay:0]] Before the deploy']);
    await context.setOffline(false);
  } finally {
    app.kill('SIGKILL');
    rmSync(next, { recursive: true, force: true });
  }
});
