import { describe, expect, it } from 'vitest';
import { dateGroupLabel, groupByDate } from '@/lib/client/date-groups';
import { conversationSnippet, matchesQuery, snippetOf } from '@/lib/client/search';
import { contentKey, importSummary, planImport } from '@/lib/client/import-plan';
import { matchOffsets } from '@/lib/client/search-highlight';
import type { Conversation } from '@/lib/client/types';
import { say } from '@/lib/client/translate';
import { translator } from './i18n-helpers';

const en = translator('en');
const zh = translator('zh-CN');

const at = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).getTime();

function chat(id: string, title: string, texts: string[] = [], updatedAt = 0): Conversation {
  return {
    id,
    title,
    createdAt: updatedAt,
    updatedAt,
    systemPrompt: '',
    messages: texts.map((content, i) => ({
      id: `${id}-${i}`,
      role: i % 2 ? 'assistant' : 'user',
      content,
      status: 'done',
      createdAt: 1000 + i,
    })),
  };
}

describe('date groups', () => {
  const now = at(2026, 11, 30, 9);
  it('names days by the calendar, not by 24-hour windows', () => {
    expect(dateGroupLabel(at(2026, 11, 30, 0), now, en, 'en-US')).toBe('Today');
    expect(dateGroupLabel(now + 60_000, now, en, 'en-US')).toBe('Today');
    expect(dateGroupLabel(at(2026, 11, 29, 23), now, en, 'en-US')).toBe('Yesterday');
    expect(dateGroupLabel(at(2026, 11, 29, 0), now, en, 'en-US')).toBe('Yesterday');
    expect(dateGroupLabel(at(2026, 11, 28, 23), now, en, 'en-US')).toBe('Previous 7 days');
    expect(dateGroupLabel(at(2026, 11, 23), now, en, 'en-US')).toBe('Previous 7 days');
    expect(dateGroupLabel(at(2026, 11, 22), now, en, 'en-US')).toBe('Previous 30 days');
    expect(dateGroupLabel(at(2026, 10, 31), now, en, 'en-US')).toBe('Previous 30 days');
    expect(dateGroupLabel(at(2026, 10, 30), now, en, 'en-US')).toBe('October 2026');
    expect(dateGroupLabel(at(2025, 12, 31), now, en, 'en-US')).toBe('December 2025');
  });

  it('keeps the order and makes one group per run of the same label', () => {
    const items = [now, at(2026, 11, 29), at(2026, 11, 25), at(2026, 9, 3), at(2026, 9, 1)];
    const groups = groupByDate(items, (t) => t, now, en, 'en-US');
    expect(groups.map((g) => [g.label, g.items.length])).toEqual([
      ['Today', 1],
      ['Yesterday', 1],
      ['Previous 7 days', 1],
      ['September 2026', 2],
    ]);
    expect(groupByDate([], (t: number) => t, now, en, 'en-US')).toEqual([]);
  });

  it('speaks the active language, months included', () => {
    expect(dateGroupLabel(now, now, zh, 'zh-CN')).toBe('今天');
    expect(dateGroupLabel(at(2026, 11, 29), now, zh, 'zh-CN')).toBe('昨天');
    expect(dateGroupLabel(at(2026, 11, 25), now, zh, 'zh-CN')).toBe('过去 7 天');
    expect(dateGroupLabel(at(2026, 10, 30), now, zh, 'zh-CN')).toBe('2026年10月');
  });
});

describe('search', () => {
  const c = chat('a', 'Cats', ['Tell me about the zebra crossing', 'A zebra crossing is…']);
  it('matches titles and what was said', () => {
    expect(matchesQuery(c, 'cat')).toBe(true);
    expect(matchesQuery(c, 'zebra')).toBe(true);
    expect(matchesQuery(c, 'dog')).toBe(false);
    expect(matchesQuery(c, '')).toBe(true);
  });

  it('shows a snippet of the first message that matches, not of a matching title', () => {
    expect(conversationSnippet(c, 'zebra')).toEqual({
      before: 'Tell me about the ',
      match: 'zebra',
      after: ' crossing',
    });
    expect(conversationSnippet(c, 'cats')).toBeNull();
    expect(conversationSnippet(c, 'nothing')).toBeNull();
  });

  it('cuts long texts at words, with ellipses, keeping the case of the match', () => {
    const text = `${'lorem ipsum '.repeat(10)}The Needle is here ${'dolor sit '.repeat(10)}`;
    const s = snippetOf(text, 'needle', 20)!;
    expect(s.match).toBe('Needle');
    expect(s.before.startsWith('…')).toBe(true);
    expect(s.after.endsWith('…')).toBe(true);
    expect(s.before.length + s.after.length).toBeLessThanOrEqual(44);
    expect(snippetOf('a\n\nneedle\n b', 'needle')).toEqual({
      before: 'a ',
      match: 'needle',
      after: ' b',
    });
  });

  it('finds every occurrence in a text node', () => {
    expect(matchOffsets('Zebra, zebra and ZEBRA', 'zebra')).toEqual([0, 7, 17]);
    expect(matchOffsets('aaa', 'aa')).toEqual([0]);
    expect(matchOffsets('abc', '')).toEqual([]);
  });
});

describe('import', () => {
  let n = 0;
  const newId = () => `new-${++n}`;
  const stored = [chat('s1', 'Hello', ['hi', 'Reply to: hi'], 5)];

  it('the same content is the same chat, whatever its ids and dates', () => {
    const copy = { ...chat('other', 'Hello', ['hi', 'Reply to: hi'], 99) };
    expect(contentKey(copy)).toBe(contentKey(stored[0]!));
    expect(contentKey(chat('x', 'Hello!', ['hi', 'Reply to: hi']))).not.toBe(contentKey(copy));
    expect(contentKey(chat('x', 'Hello', ['hi', 'Reply to: hi!']))).not.toBe(contentKey(copy));
  });

  it('skips chats already here, puts the others on top in file order, with fresh ids', () => {
    const incoming = [
      chat('f1', 'First', ['one'], 10),
      chat('f2', 'Hello', ['hi', 'Reply to: hi'], 20),
      chat('f3', 'Third', ['three'], 30),
      chat('f1', 'First', ['one'], 10), // twice in the file
    ];
    const plan = planImport(stored, incoming, { now: 1_000_000, newId });
    expect(plan.skipped).toBe(2);
    expect(plan.firstExistingId).toBeNull();
    expect(plan.added.map((c) => c.title)).toEqual(['First', 'Third']);
    expect(plan.added.map((c) => c.updatedAt)).toEqual([1_000_000, 999_999]);
    expect(plan.added.every((c) => c.id.startsWith('new-'))).toBe(true);
    expect(plan.sourceIds).toEqual(['f1', 'f3']);
  });

  it('points to the stored copy when the first chat was already here', () => {
    const plan = planImport(stored, [chat('f', 'Hello', ['hi', 'Reply to: hi'])], {
      now: 1,
      newId,
    });
    expect(plan).toEqual({ added: [], sourceIds: [], skipped: 1, firstExistingId: 's1' });
  });

  it('stops unfinished replies', () => {
    const c = chat('f', 'Streaming', ['q', 'half']);
    c.messages[1] = { ...c.messages[1]!, status: 'streaming', replyId: 'r1' };
    const [added] = planImport([], [c], { now: 1, newId }).added;
    expect(added!.messages[1]).toMatchObject({ status: 'stopped', replyId: undefined });
  });

  it('says what happened', () => {
    expect(say(en, importSummary(1, 0))).toBe('Imported 1 chat.');
    expect(say(en, importSummary(2, 1))).toBe('Imported 2 chats, skipped 1 already here.');
    expect(say(en, importSummary(0, 2))).toBe('Nothing imported: 2 chats already here.');
    expect(say(zh, importSummary(2, 1))).toBe('已导入 2 个聊天，跳过 1 个已存在的聊天。');
  });
});
