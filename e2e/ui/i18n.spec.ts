/**
 * The interface in the person's language: a browser set to Chinese gets it in Chinese from the
 * first HTML (found here by role and Chinese accessible name), a reply streams as in English, the
 * Language setting switches to English and back and is remembered; axe passes in Chinese; and
 * screenshots of the Chinese interface (desktop and phone, light and dark) are kept for people
 * to look at: attached to the test and written to /tmp/shots-zh/ (CJK fonts: fonts-noto-cjk,
 * installed by .ci/run).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { ChatPage } from '../support/chat-page';

const APP = () => process.env.APP_URL!;
const DEMO = () => process.env.DEMO_URL!;
const SHOTS = '/tmp/shots-zh';

/** The chat page as a person reading Chinese finds it. */
function zh(page: Page) {
  return {
    message: page.getByRole('textbox', { name: '消息' }),
    send: page.getByRole('button', { name: '发送', exact: true }),
    stop: page.getByRole('button', { name: '停止', exact: true }),
    newChat: page.getByRole('button', { name: '新聊天', exact: true }),
    settings: page.getByRole('button', { name: '设置', exact: true }),
    language: page.getByRole('combobox', { name: '语言' }),
    answer: () => page.getByRole('article', { name: '助手' }).last(),
    history: page.getByRole('list', { name: '聊天记录' }),
  };
}

/**
 * Names and hints of the page that are English sentences: a string the translation missed.
 * (Chat titles, model ids and what people or models wrote are content, not the interface.)
 */
function englishLeftOver(page: Page, content: string[]): Promise<string[]> {
  return page.evaluate((content) => {
    const said = new Set<string>();
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
      for (const attr of ['aria-label', 'title', 'placeholder']) {
        const value = el.getAttribute(attr);
        if (value) said.add(value);
      }
    }
    // Visible text outside what was said in the chat.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (
        !parent ||
        parent.closest('script, style, article, [data-testid="announcer"], select, time, code')
      ) {
        continue;
      }
      said.add(node.textContent ?? '');
    }
    return [...said]
      .map((s) => s.trim())
      .filter((s) => /[A-Za-z]{3,}/.test(s) && !/[\u4e00-\u9fff]/.test(s))
      .filter((s) => !content.some((c) => s.includes(c)));
  }, content);
}

test.describe('a browser set to Chinese', () => {
  test.use({ locale: 'zh-CN' });

  test('gets the interface in Chinese from the first HTML, and a reply streams', async ({
    page,
  }) => {
    // The server chose the language: the first HTML says so, before any script runs.
    const first = await page.request.get(APP(), { headers: { 'Accept-Language': 'zh-CN,zh' } });
    const html = await first.text();
    expect(html).toContain('<html lang="zh-CN"');
    expect(html).toContain('有什么可以帮你的？');
    expect(html).not.toContain('What can I help with?');

    const ui = zh(page);
    await page.goto(APP());
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    expect(await page.evaluate(() => navigator.language)).toBe('zh-CN');
    await expect(ui.message).toBeEditable();
    await expect(ui.newChat).toBeVisible();
    await expect(ui.settings).toBeVisible();
    await expect(page.getByRole('list', { name: '示例提问' })).toBeVisible();
    expect(await englishLeftOver(page, ['StreamChat', 'test-model'])).toEqual([]);

    const question = '[[tokens:300]] [[delay:30]] 你好';
    await ui.message.fill(question);
    await ui.send.click();
    await expect(ui.answer()).toHaveAttribute('data-status', 'streaming');
    await expect(ui.stop).toBeVisible();
    // Token by token: the text is seen growing before it ends.
    const text = ui.answer().getByTestId('assistant-text');
    await expect(text).not.toBeEmpty();
    const early = (await text.textContent())!.length;
    await expect(ui.answer()).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
    expect((await text.textContent())!.length).toBeGreaterThan(early);
    await expect(ui.answer().getByTestId('figures')).toContainText(/首个词元 \d+ 毫秒/);
    await expect(ui.answer().getByRole('button', { name: '重新生成' })).toBeVisible();
    // The sidebar's date group, and the chat's row.
    await expect(page.getByRole('navigation', { name: '聊天' }).locator('h2')).toHaveText(['今天']);
    await expect(ui.history.getByRole('button', { name: question, exact: true })).toBeVisible();
    expect(await englishLeftOver(page, [question, 'StreamChat', 'test-model'])).toEqual([]);

    // Chinese text is set in a Simplified Chinese face.
    const family = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    expect(family).toContain('Noto Sans CJK SC');
  });

  test('the Language setting switches to English and back, and is remembered', async ({
    page,
    context,
  }) => {
    const ui = zh(page);
    await page.goto(APP());
    await ui.message.fill('还没发送的草稿');
    await ui.settings.click();
    await expect(ui.language).toHaveValue(''); // automatic: from the browser
    await ui.language.selectOption('en');

    // At once, without a reload: the chat and the draft stay.
    const chat = new ChatPage(page);
    await expect(chat.send).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(chat.message).toHaveValue('还没发送的草稿');
    await expect(page.getByRole('combobox', { name: 'Language' })).toHaveValue('en');
    await page.reload();
    await expect(chat.message).toBeEditable();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(chat.examples).toBeVisible();

    await chat.settings.click();
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await expect(ui.send).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await page.reload();
    await expect(ui.message).toBeEditable();
    await ui.settings.click();
    await expect(ui.language).toHaveValue('zh-CN');

    // Automatic again: the choice is forgotten, and the browser's language applies.
    await ui.language.selectOption('');
    await expect
      .poll(async () => (await context.cookies()).map((c) => c.name))
      .not.toContain('locale');
    await page.reload();
    await expect(ui.send).toBeVisible();
  });

  test('axe finds no serious violations in Chinese', async ({ page }) => {
    const ui = zh(page);
    await page.goto(APP());
    await expect(ui.message).toBeEditable();
    expect(await seriousViolations(page), 'empty state').toEqual([]);
    await ui.message.fill('[[delay:0]] 第一个问题');
    await ui.send.click();
    await expect(ui.answer()).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
    await ui.settings.click();
    await expect(ui.language).toBeVisible();
    expect(await seriousViolations(page), 'a finished chat, settings open').toEqual([]);
  });
});

test.describe('a browser set to English', () => {
  test('gets English, and 中文 in Settings switches to Chinese', async ({ page }) => {
    const chat = new ChatPage(page);
    await chat.goto(APP());
    expect(await page.evaluate(() => navigator.language)).toBe('en-US');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await chat.settings.click();
    await page.getByRole('combobox', { name: 'Language' }).selectOption({ label: '中文' });
    const ui = zh(page);
    await expect(ui.send).toBeVisible();
    await page.reload();
    await expect(ui.message).toBeEditable();
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  });
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

/** An export file with chats in Chinese: a table, code, reasoning, figures. */
function chineseChats(now: number) {
  const answer = [
    '两者都是关系型数据库，但定位不同：',
    '',
    '| 方面 | PostgreSQL | SQLite |',
    '| --- | --- | --- |',
    '| 部署 | 独立的服务器进程 | 嵌入应用，一个文件 |',
    '| 并发写入 | 多个连接同时写入 | 同一时间只有一个写入者 |',
    '| 适合 | 网站后端、数据分析 | 手机应用、桌面软件、测试 |',
    '',
    '**简单来说**：需要多人同时写入时选 PostgreSQL，单机或嵌入式场景选 SQLite。',
    '',
    '```sql',
    "SELECT name FROM users WHERE city = '上海';",
    '```',
  ].join('\n');
  const chat = (id: string, title: string, reply: string, extra: object = {}) => ({
    id,
    title,
    createdAt: now,
    updatedAt: now,
    model: 'test-model',
    systemPrompt: '',
    messages: [
      {
        id: `${id}-q`,
        parentId: null,
        role: 'user',
        content: title,
        status: 'done',
        createdAt: now,
      },
      {
        id: `${id}-a`,
        parentId: `${id}-q`,
        role: 'assistant',
        content: reply,
        status: 'done',
        createdAt: now + 1000,
        model: 'test-model',
        metrics: { ttftMs: 412, tokensPerSecond: 38.5 },
        usage: { promptTokens: 24, completionTokens: 196, totalTokens: 220 },
        ...extra,
      },
    ],
  });
  return JSON.stringify({
    app: 'streamchat',
    version: 2,
    conversations: [
      chat('pg', '用表格比较 PostgreSQL 和 SQLite', answer, {
        reasoning: '用户想要一个表格。先列出部署方式、并发和适用场景，再给出建议。',
        thoughtMs: 4200,
      }),
      chat('sse', '用三句话解释 Server-Sent Events', '服务器通过一个长连接向浏览器推送事件。'),
      chat('trip', '周末去杭州玩，有什么推荐？', '可以去西湖边走走，再去灵隐寺看看。'),
    ],
  });
}

const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 800 };

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`screenshots in Chinese, ${colorScheme}`, () => {
    test.use({ locale: 'zh-CN', colorScheme });

    test(`desktop and phone, ${colorScheme}`, async ({ page }, testInfo) => {
      test.setTimeout(60_000);
      const shoot = (name: string) => screenshot(page, testInfo, `${name}-${colorScheme}`);
      const ui = zh(page);

      // The demo's empty page: its banner and the example prompts.
      await page.setViewportSize(desktop);
      await page.goto(DEMO());
      await expect(ui.message).toBeEditable();
      await expect(page.getByRole('note')).toContainText('内置演示模型');
      await page.mouse.move(0, 0);
      await shoot('desktop-empty');
      await page.setViewportSize(phone);
      await shoot('phone-empty');

      // A conversation in Chinese (imported: its text is known), on a desktop, then a phone.
      await page.setViewportSize(desktop);
      await page.goto(APP());
      await expect(ui.message).toBeEditable();
      await page.getByLabel('导入文件').setInputFiles({
        name: 'chats.json',
        mimeType: 'application/json',
        buffer: Buffer.from(chineseChats(Date.now())),
      });
      await expect(page.getByRole('navigation', { name: '聊天' }).getByRole('status')).toHaveText(
        '已导入 3 个聊天。',
      );
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(
        '用表格比较 PostgreSQL 和 SQLite',
      );
      await expect(ui.answer().getByRole('table')).toBeVisible();
      await expect(ui.answer().locator('summary')).toHaveText('思考了 4 秒');
      // The code is highlighted (Shiki loads on demand) before the picture is taken.
      await expect(ui.answer().locator('pre code span[style*="color"]').first()).toBeVisible();
      await page.mouse.move(0, 0);
      await shoot('desktop-chat');
      await ui.settings.click();
      await expect(ui.language).toBeVisible();
      await shoot('desktop-settings');
      await ui.settings.click();

      await page.setViewportSize(phone);
      await expect(page.getByRole('button', { name: '打开侧边栏' })).toBeVisible();
      await shoot('phone-chat');
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, 'nothing sticks out sideways on a phone').toBe(0);
      await page.getByRole('button', { name: '打开侧边栏' }).click();
      await expect(page.getByRole('dialog', { name: '聊天' })).toBeVisible();
      await shoot('phone-drawer');
    });
  });
}

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}
