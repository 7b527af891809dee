/**
 * Model output is untrusted: a prompt injection can make a model write anything. A reply made
 * of hostile markdown and HTML (echoed back by the simulator's `[[echo]]`) must execute nothing
 * and leave no script, event handler or dangerous URL in the page.
 */
import { expect, test } from '@playwright/test';
import { ChatPage } from '../support/chat-page';

const PAYLOAD = [
  'Raw HTML: <img src=x onerror="window.__pwned=1"> and <b onmouseover="window.__pwned=2">bold</b>',
  '',
  '<script>window.__pwned=3</script>',
  '',
  '<svg onload="window.__pwned=4"><circle r="5"/></svg>',
  '',
  '<iframe src="javascript:window.__pwned=5"></iframe>',
  '',
  '<a href="javascript:window.__pwned=6">raw link</a> <details open ontoggle="window.__pwned=7">x</details>',
  '',
  '[js link](javascript:window.__pwned=8) [upper](JAVASCRIPT:window.__pwned=9) ' +
    '[entity](&#106;avascript:window.__pwned=10) [tab](java&#9;script:window.__pwned=11) ' +
    '[vb](vbscript:msgbox(1)) [data link](data:text/html,<script>window.__pwned=12</script>) ' +
    '[relative](/api/chat) [file](file:///etc/passwd)',
  '',
  '![js image](javascript:window.__pwned=13) ![data image](data:image/svg+xml,<svg onload=window.__pwned=14>)',
  '',
  '![remote image](https://example.com/track.png?q=secret) [safe link](https://example.com/ok) <https://example.com/auto> www.example.com/www',
  '',
  '```html',
  '<script>window.__pwned=15</script>',
  '```',
  '',
  '| <img src=x onerror="window.__pwned=16"> | `code` |',
  '| --- | --- |',
  '| [cell](javascript:window.__pwned=17) | ok |',
].join('\n');

test('hostile markdown and HTML in a reply execute nothing and leave nothing dangerous', async ({
  page,
}) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const chat = new ChatPage(page);
  await chat.goto(process.env.APP_URL!);
  await chat.ask(`[[echo]] [[delay:0]] ${PAYLOAD}`);
  await chat.waitForStatus('done');
  const answer = chat.answer().getByTestId('assistant-text');
  // The reply rendered: the safe parts are there.
  await expect(answer.getByRole('link', { name: 'safe link' })).toBeVisible();
  await expect(answer.locator('pre code')).toContainText('<script>window.__pwned=15</script>');

  const found = await answer.evaluate((root) => {
    const elements = [...root.querySelectorAll('*')];
    return {
      tags: [
        ...new Set(
          elements
            .map((e) => e.tagName.toLowerCase())
            .filter((t) =>
              ['script', 'iframe', 'svg', 'img', 'object', 'embed', 'details'].includes(t),
            ),
        ),
      ],
      handlers: elements.flatMap((e) =>
        [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`),
      ),
      hrefs: [...root.querySelectorAll('[href], [src], [action], [formaction]')].map(
        (e) => e.getAttribute('href') ?? e.getAttribute('src') ?? e.getAttribute('action') ?? '',
      ),
      links: [...root.querySelectorAll('a')].map((a) => ({
        text: a.textContent,
        target: a.target,
        rel: a.rel,
      })),
    };
  });
  expect(found.tags, 'no HTML from the reply became elements').toEqual([]);
  expect(found.handlers, 'no event handler attributes').toEqual([]);
  for (const href of found.hrefs) expect(href).toMatch(/^https?:\/\//);
  // The raw HTML shows as text, not as markup.
  await expect(answer).toContainText('<img src=x onerror="window.__pwned=1">');
  // Links that pass are external: new tab, no opener, no referrer, no endorsement.
  expect(found.links.map((l) => l.text)).toEqual([
    '[image: remote image]',
    'safe link',
    'https://example.com/auto',
    'www.example.com/www',
  ]);
  for (const link of found.links) {
    expect(link.target).toBe('_blank');
    expect(link.rel).toBe('noopener noreferrer nofollow');
  }
  // Links that don't pass are plain text.
  await expect(answer.getByText('js link', { exact: true })).not.toHaveAttribute('href');
  // Hover and click what a person might (links that were dropped are plain text, so nothing
  // happens), then give any handler a moment to run.
  await answer.getByText(/^Raw HTML/).hover();
  for (const name of ['js link', 'upper', 'entity', 'tab', 'data link', 'cell']) {
    await answer.getByText(name, { exact: true }).click();
  }
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBe(
    undefined,
  );
  expect(dialogs).toEqual([]);
  expect(page.url()).toContain(process.env.APP_URL!);
});
