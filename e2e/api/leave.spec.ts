import { expect, test } from '@playwright/test';
import { readSse, simRecord, uniqueTag } from '../support/api';

const PRIVATE = () => process.env.PRIVATE_URL!;
const auth = () => ({ Authorization: `Bearer ${process.env.TEST_ACCESS_CODE}` });

test('a leave beacon ends a reply whose follower never detached (as on Vercel)', async () => {
  const tag = uniqueTag('leave');
  const res = await fetch(`${PRIVATE()}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '10.6.0.1', ...auth() },
    body: JSON.stringify({
      messages: [{ role: 'user', content: `[[tag:${tag}]] [[tokens:2000]] [[delay:20]]` }],
    }),
  });
  const { id, streamUrl } = await res.json();
  // A follower that stays connected: the server keeps counting it.
  const follower = readSse(PRIVATE() + streamUrl, { headers: auth() });
  await expect.poll(async () => (await simRecord(tag))?.tokensSent ?? 0).toBeGreaterThan(5);
  await new Promise((r) => setTimeout(r, 5_100 - 500)); // past the "just attached" window
  const left = await fetch(`${PRIVATE()}/api/chat/${id}/leave`, {
    method: 'POST',
    headers: auth(),
  });
  expect(left.status).toBe(204);
  const result = await follower;
  expect(result.events.at(-1)).toMatchObject({ event: 'close', data: { finishReason: 'stopped' } });
  expect((await simRecord(tag))?.clientClosed).toBe(true);

  const unknown = await fetch(`${PRIVATE()}/api/chat/AAAAAAAAAAAAAAAAAAAAAAAA/leave`, {
    method: 'POST',
    headers: auth(),
  });
  expect(unknown.status).toBe(404);
});
