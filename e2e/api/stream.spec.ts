import { expect, test } from '@playwright/test';
import { startTcpProxy } from '../support/tcp-proxy';
import {
  DIALECTS,
  expectConsecutiveIds,
  followWithEventSource,
  oneRequest,
  postChat,
  readSse,
  simRecord,
  text,
  uniqueTag,
} from '../support/api';

const TRICKY =
  'line1\nline2\r\nline3\rdata: fake\n\nid: 99\nevent: close\n: comment\n[DONE] café 東京 🚀👩‍👩‍👧 end';

// Everything here holds on both upstream dialects: the same specs against the app on each.
for (const dialect of DIALECTS) {
  const APP = dialect.url;

  test.describe(`following a reply (${dialect.name})`, () => {
    test('two-step mode: 201 with Location, then meta first and tokens before the end', async () => {
      const res = await fetch(`${APP()}/api/chat`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          messages: [{ role: 'user', content: '[[tokens:40]] [[delay:40]]' }],
        }),
      });
      expect(res.status).toBe(201);
      const created = (await res.json()) as { id: string; streamUrl: string };
      expect(created.id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      expect(created.streamUrl).toBe(`/api/chat/${created.id}/stream`);
      expect(res.headers.get('location')).toBe(created.streamUrl);

      const result = await readSse(APP() + created.streamUrl);
      expect(result.status).toBe(200);
      expect(result.retry).toBe(500);
      expectConsecutiveIds(result.events);
      const [meta] = result.events;
      expect(meta?.event).toBe('meta');
      expect(meta?.data).toMatchObject({ id: created.id, model: 'test-model' });
      // The heartbeat period in force; nothing was left out of a short conversation.
      const { heartbeatMs, omittedMessages } = meta!.data as {
        heartbeatMs?: number;
        omittedMessages?: number;
      };
      expect(heartbeatMs).toBeGreaterThanOrEqual(100);
      expect(omittedMessages).toBeUndefined();
      expect(result.events.at(-1)).toMatchObject({
        event: 'close',
        data: { finishReason: 'stop' },
      });
      expect(result.events.at(-2)?.event).toBe('usage');
      const messages = result.events.filter((e) => e.event === 'message');
      expect(messages).toHaveLength(40);
      // Streaming, not buffering: the first token came long before the last.
      expect(messages.at(-1)!.at - messages[0]!.at).toBeGreaterThan(800);
    });

    test('SSE headers: no caching, no buffering, no compression', async () => {
      const { streamUrl } = await postChat('[[tokens:3]] [[delay:0]]', {}, APP());
      const result = await readSse(APP() + streamUrl, {
        headers: { 'Accept-Encoding': 'gzip, br' },
      });
      expect(result.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(result.headers.get('cache-control')).toBe('no-cache, no-transform');
      expect(result.headers.get('x-accel-buffering')).toBe('no');
      expect(result.headers.get('content-encoding')).toBeNull();
    });

    test('one-request mode streams the same events in the POST response', async () => {
      const result = await oneRequest(`[[echo]] ${TRICKY}`, APP());
      expect(result.status).toBe(200);
      expect(result.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expectConsecutiveIds(result.events);
      expect(result.events[0]?.event).toBe('meta');
      expect(text(result.events)).toBe(TRICKY);
      expect(result.events.at(-1)).toMatchObject({
        event: 'close',
        data: { finishReason: 'stop' },
      });
    });

    test('any text survives framing byte for byte, also when upstream chunks split characters', async () => {
      const result = await oneRequest(`[[echo]] [[split-utf8]] ${TRICKY}`, APP());
      expect(text(result.events)).toBe(TRICKY);
    });

    test('reasoning deltas become reasoning events', async () => {
      for (const directive of ['[[reasoning]]', '[[reasoning-field]]']) {
        const result = await oneRequest(`${directive} [[delay:0]] hello`, APP());
        const reasoning = result.events.filter((e) => e.event === 'reasoning');
        expect(reasoning.map((e) => e.data.content).join('')).toBe(
          'Let me think about this step by step.',
        );
        expect(text(result.events)).toBe('Reply to: hello');
      }
    });

    test('Last-Event-ID replays exactly the events after it, then goes on live', async () => {
      const { streamUrl } = await postChat('[[tokens:60]] [[delay:15]]', {}, APP());
      const first = await readSse(APP() + streamUrl, { stopWhen: (e) => e.length >= 12 });
      const lastId = first.events.at(-1)!.id;
      const rest = await readSse(APP() + streamUrl, {
        headers: { 'Last-Event-ID': String(lastId) },
      });
      const all = [...first.events, ...rest.events];
      expectConsecutiveIds(all);
      expect(all.filter((e) => e.event === 'message')).toHaveLength(60);
      expect(all.at(-1)?.event).toBe('close');

      // The same from the query string (for clients that cannot set headers), header wins.
      const viaQuery = await readSse(`${APP()}${streamUrl}?lastEventId=${lastId}`);
      expect(viaQuery.events.map((e) => e.id)).toEqual(rest.events.map((e) => e.id));
      const headerWins = await readSse(`${APP()}${streamUrl}?lastEventId=1`, {
        headers: { 'Last-Event-ID': String(lastId) },
      });
      expect(headerWins.events[0]?.id).toBe(lastId + 1);

      // A full replay from the start is still possible while the reply is kept.
      const replay = await readSse(APP() + streamUrl);
      expect(replay.events).toHaveLength(all.length);
      expect(text(replay.events)).toBe(text(all));
    });

    test('a Last-Event-ID ahead of a running reply gets only the events after it', async () => {
      const { streamUrl } = await postChat('[[tokens:40]] [[delay:40]]', {}, APP());
      const ahead = 30;
      const early = await readSse(APP() + streamUrl, { stopWhen: (e) => e.length >= 3 });
      // Asked while the reply is still short of event 30.
      expect(early.events.at(-1)!.id).toBeLessThan(ahead);
      const rest = await readSse(APP() + streamUrl, {
        headers: { 'Last-Event-ID': String(ahead) },
      });
      expect(rest.events.map((e) => e.id)).toEqual(rest.events.map((_, i) => ahead + 1 + i));
      expect(rest.events.at(-1)?.event).toBe('close');
    });

    test('after close, a reconnect gets 204; unknown ids get 404', async () => {
      const { streamUrl } = await postChat('[[tokens:3]] [[delay:0]]', {}, APP());
      const done = await readSse(APP() + streamUrl);
      const closeId = done.events.at(-1)!.id;
      const again = await fetch(APP() + streamUrl, {
        headers: { 'Last-Event-ID': String(closeId) },
      });
      expect(again.status).toBe(204);

      const unknown = await fetch(`${APP()}/api/chat/AAAAAAAAAAAAAAAAAAAAAAAA/stream`);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({
        error: { code: 'not_found', message: expect.any(String) },
      });

      const bad = await fetch(APP() + streamUrl, { headers: { 'Last-Event-ID': 'abc' } });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.code).toBe('invalid_last_event_id');
    });

    test('an idle stream gets heartbeat comments', async () => {
      const { streamUrl } = await postChat('[[hang:1]] [[delay:0]]', {}, APP());
      const watched = await readSseUntilComment(APP() + streamUrl);
      expect(watched).toContain(': ping');
    });

    test('a real EventSource resumes through dropped connections with no gap and no repeat', async () => {
      const proxy = await startTcpProxy(Number(new URL(APP()).port));
      try {
        const { streamUrl } = await postChat(
          `[[echo]] [[delay:25]] ${'word '.repeat(80)}${TRICKY}`,
          {},
          APP(),
        );
        let drops = 0;
        const { events, opens } = await followWithEventSource(proxy.url + streamUrl, (e) => {
          // Cut the connection three times, mid-stream.
          if (e.event === 'message' && e.id % 20 === 0 && drops < 3) {
            drops++;
            proxy.dropAll();
          }
        });
        expect(drops).toBe(3);
        expect(opens).toBeGreaterThanOrEqual(4);
        expectConsecutiveIds(events);
        expect(text(events)).toBe(`${'word '.repeat(80)}${TRICKY}`);
        expect(events.at(-1)?.data).toEqual({ finishReason: 'stop' });
      } finally {
        await proxy.close();
      }
    });
  });

  test.describe(`stopping and abandoning (${dialect.name})`, () => {
    test('DELETE stops the reply and closes the upstream request within a second', async () => {
      const tag = uniqueTag('stop');
      const { id, streamUrl } = await postChat(
        `[[tag:${tag}]] [[tokens:1000]] [[delay:20]]`,
        {},
        APP(),
      );
      const follower = readSse(APP() + streamUrl);
      await expect.poll(async () => (await simRecord(tag))?.tokensSent ?? 0).toBeGreaterThan(5);
      const stoppedAt = Date.now();
      const del = await fetch(`${APP()}/api/chat/${id}`, { method: 'DELETE' });
      expect(del.status).toBe(204);
      const result = await follower;
      expect(result.events.at(-1)).toMatchObject({
        event: 'close',
        data: { finishReason: 'stopped' },
      });
      await expect
        .poll(async () => (await simRecord(tag))?.clientClosed, { timeout: 1000 })
        .toBe(true);
      const record = await simRecord(tag);
      // Through this app's own upstream API.
      expect(record!.api).toBe(dialect.api);
      expect(record!.endedAt! - stoppedAt).toBeLessThan(1000);
      expect(record!.tokensSent).toBeLessThan(1000);

      // What was streamed stays replayable.
      const replay = await readSse(APP() + streamUrl);
      expect(text(replay.events)).toBe(text(result.events));

      expect(
        (await fetch(`${APP()}/api/chat/AAAAAAAAAAAAAAAAAAAAAAAA`, { method: 'DELETE' })).status,
      ).toBe(404);
    });

    test('an abandoned reply keeps going through the grace period, then its upstream is closed', async () => {
      const tag = uniqueTag('abandon');
      const { streamUrl } = await postChat(
        `[[tag:${tag}]] [[tokens:2000]] [[delay:20]]`,
        {},
        APP(),
      );
      await readSse(APP() + streamUrl, { stopWhen: (e) => e.length >= 5 });
      const leftAt = Date.now();
      // Still generating shortly after the follower left (a reload could come back)...
      await new Promise((r) => setTimeout(r, 500));
      expect((await simRecord(tag))?.clientClosed).toBe(false);
      // ...and closed once the 2 s grace period is over.
      await expect
        .poll(async () => (await simRecord(tag))?.clientClosed, { timeout: 5000 })
        .toBe(true);
      const record = await simRecord(tag);
      expect(record!.endedAt! - leftAt).toBeGreaterThanOrEqual(1900);
      expect(record!.endedAt! - leftAt).toBeLessThan(3500);
      const replay = await readSse(APP() + streamUrl);
      expect(replay.events.at(-1)).toMatchObject({
        event: 'close',
        data: { finishReason: 'stopped' },
      });
    });

    test('a reply nobody follows after POST is aborted after the grace period', async () => {
      const tag = uniqueTag('never');
      await postChat(`[[tag:${tag}]] [[tokens:2000]] [[delay:20]]`, {}, APP());
      await expect
        .poll(async () => (await simRecord(tag))?.clientClosed, { timeout: 5000 })
        .toBe(true);
    });

    test('one-request mode: a disconnect aborts the upstream at once', async () => {
      const tag = uniqueTag('one');
      const cutAt = { t: 0 };
      await oneRequest(`[[tag:${tag}]] [[tokens:2000]] [[delay:20]]`, APP(), (e) => {
        if (e.length >= 5) cutAt.t = Date.now();
        return e.length >= 5;
      });
      await expect
        .poll(async () => (await simRecord(tag))?.clientClosed, { timeout: 1000 })
        .toBe(true);
      expect((await simRecord(tag))!.endedAt! - cutAt.t).toBeLessThan(1000);
    });
  });
}

/** Reads a stream until the first comment line, cutting it then. */
async function readSseUntilComment(url: string): Promise<string[]> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let raw = '';
  while (!/^:.*$/m.test(raw)) {
    const { value, done } = await reader.read();
    if (done) break;
    raw += decoder.decode(value, { stream: true });
  }
  controller.abort();
  return raw.split('\n').filter((l) => l.startsWith(':'));
}
