import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { APP, oneRequest, postChat, readSse, text } from '../support/api';

test('with no key and no base URL, the built-in demo model answers helpfully', async () => {
  const DEMO = process.env.DEMO_URL!;
  const models = await (await fetch(`${DEMO}/api/models`)).json();
  expect(models).toMatchObject({ models: [{ id: 'demo' }], default: 'demo', demo: true });
  const first = await oneRequest('What are you?', DEMO);
  const answer = text(first.events);
  expect(answer).toContain('built-in demo model');
  expect(answer).toContain('OPENAI_API_KEY');
  expect(answer).toMatch(/^\| .* \|$/m); // a table
  expect(answer).toMatch(/^```bash$/m); // a code block
  expect(answer).toMatch(/^\d\. /m); // a list
  expect(first.events.filter((e) => e.event === 'message').length).toBeGreaterThan(50);
  expect(first.events.at(-1)?.data).toEqual({ finishReason: 'stop' });
  // Deterministic: the same question, the same answer.
  expect(text((await oneRequest('What are you?', DEMO)).events)).toBe(answer);
  // And the page says plainly that it is the demo model.
  expect(await (await fetch(DEMO)).text()).toContain('built-in demo model');
});

test('the API key appears in no response, event, log line or client bundle', async () => {
  const key = process.env.TEST_API_KEY!;
  expect(key).toMatch(/^sk-test-/);
  const seen: string[] = [];
  const grab = async (res: Response) => {
    seen.push(JSON.stringify([...res.headers]), await res.text());
  };
  await grab(await fetch(APP()));
  await grab(await fetch(`${APP()}/api/models`));
  await grab(await fetch(`${APP()}/api/chat`, { method: 'POST', body: 'nope' }));
  for (const content of ['[[status:401]]', '[[status:500]]', '[[malformed:1]]', '[[delay:0]] hi']) {
    const { streamUrl } = await postChat(content);
    seen.push((await readSse(APP() + streamUrl)).raw);
  }
  // The upstream really received the key (so the check below is meaningful).
  const stats = await (await fetch(`${process.env.SIMULATOR_URL}/_stats`)).json();
  expect(stats.requests.some((r: { authorized: boolean }) => r.authorized)).toBe(true);

  for (const chunk of seen) expect(chunk).not.toContain(key);
  // Log lines of every server this run started.
  for (const file of ['app', 'app-responses', 'demo', 'unreachable']) {
    expect(readFileSync(`test-results/${file}.log`, 'utf8')).not.toContain(key);
  }
  // Client bundle and every built static file.
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = path.join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
  const files = walk('.next/static');
  expect(files.length).toBeGreaterThan(3);
  for (const f of files) expect(readFileSync(f, 'utf8')).not.toContain(key);
});
