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
  const attachedAt = Date.now();
  const follower = readSse(PRIVATE() + streamUrl, { headers: auth() });
  await expect.poll(async () => (await simRecord(tag))?.tokensSent ?? 0).toBeGreaterThan(5);
  // Beacons within 5 s of an attach are ignored (a reload's late beacon): wait past that.
  await new Promise((r) => setTimeout(r, Math.max(0, attachedAt + 6_000 - Date.now())));
  const left = await fetch(`${PRIVATE()}/api/chat/${id}/leave`, {
    method: 'POST',
    headers: auth(),
  });
  expect(left.status).toBe(204);
  const result = await follower;
  expect(result.events.at(-1)).toMatchObject({ event: 'close', data: { finishReason: 'stopped' } });
  await expect.poll(async () => (await simRecord(tag))?.clientClosed).toBe(true);

  const unknown = await fetch(`${PRIVATE()}/api/chat/AAAAAAAAAAAAAAAAAAAAAAAA/leave`, {
    method: 'POST',
    headers: auth(),
  });
  expect(unknown.status).toBe(404);
});
