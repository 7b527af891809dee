import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addVersion,
  append,
  childrenOf,
  historyBefore,
  migrateFlat,
  pathOf,
  removeVersion,
  showVersion,
  updateNode,
  versionsOf,
  type Tree,
  type TreeNode,
} from '@/lib/client/tree';

interface Node extends TreeNode {
  text: string;
}

let clock = 0;
const node = (id: string, text = id): Node => ({ id, text, createdAt: ++clock });
const texts = (t: Tree<Node>) => pathOf(t).map((m) => m.text);
const empty = (): Tree<Node> => ({ messages: [] });

/** q1 → a1 → q2 → a2, built by appending. */
function chat(): Tree<Node> {
  return append(append(empty(), [node('q1'), node('a1')]), [node('q2'), node('a2')]);
}

describe('a conversation tree', () => {
  it('appends after the message shown, as one branch', () => {
    const t = chat();
    expect(texts(t)).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(t.messages.map((m) => m.parentId)).toEqual([null, 'q1', 'a1', 'q2']);
  });

  it('regenerating adds a version of the answer and shows it; the first stays', () => {
    let t = addVersion(chat(), 'a2', [node('a2b')]);
    expect(texts(t)).toEqual(['q1', 'a1', 'q2', 'a2b']);
    expect(versionsOf(t, 'a2b')).toEqual({ index: 1, ids: ['a2', 'a2b'] });
    t = showVersion(t, 'a2');
    expect(texts(t)).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(t.messages).toHaveLength(5);
  });

  it('editing a question adds a version with its own answer; going back shows the old branch', () => {
    let t = addVersion(chat(), 'q2', [node('q2b'), node('a2c')]);
    expect(texts(t)).toEqual(['q1', 'a1', 'q2b', 'a2c']);
    t = append(t, [node('q3'), node('a3')]); // the conversation goes on from the branch shown
    expect(texts(t)).toEqual(['q1', 'a1', 'q2b', 'a2c', 'q3', 'a3']);
    t = showVersion(t, 'q2');
    expect(texts(t)).toEqual(['q1', 'a1', 'q2', 'a2']);
    // Each branch remembers what was shown in it.
    t = showVersion(t, 'q2b');
    expect(texts(t)).toEqual(['q1', 'a1', 'q2b', 'a2c', 'q3', 'a3']);
  });

  it('editing the first question makes versions of the first turn', () => {
    const t = addVersion(chat(), 'q1', [node('q1b'), node('a1b')]);
    expect(childrenOf(t, null).map((m) => m.id)).toEqual(['q1', 'q1b']);
    expect(texts(t)).toEqual(['q1b', 'a1b']);
    expect(texts(showVersion(t, 'q1'))).toEqual(['q1', 'a1', 'q2', 'a2']);
  });

  it('without a choice, a fork shows its newest version', () => {
    const t = addVersion(chat(), 'a2', [node('a2b')]);
    expect(texts({ messages: t.messages })).toEqual(['q1', 'a1', 'q2', 'a2b']);
  });

  it('deleting a version removes its branch and shows a neighbour', () => {
    let t = addVersion(chat(), 'q2', [node('q2b'), node('a2c')]);
    t = addVersion(t, 'a2c', [node('a2d')]);
    t = removeVersion(t, 'q2b');
    expect(t.messages.map((m) => m.id)).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(texts(t)).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(Object.values(t.selected ?? {})).not.toContain('a2d');
    // The last of three: the one before it is shown.
    let u = addVersion(addVersion(chat(), 'a2', [node('a2b')]), 'a2', [node('a2c')]);
    u = removeVersion(u, 'a2c');
    expect(texts(u)).toEqual(['q1', 'a1', 'q2', 'a2b']);
  });

  it('the history of a reply is its own branch, shown or not', () => {
    let t = addVersion(chat(), 'q2', [node('q2b'), node('a2c')]);
    t = showVersion(t, 'q2');
    expect(historyBefore(t, 'a2c').map((m) => m.text)).toEqual(['q1', 'a1', 'q2b']);
    expect(historyBefore(t, 'q1')).toEqual([]);
  });

  it('updates one message by id, keeping the others by reference', () => {
    const t = chat();
    const u = updateNode(t, 'a1', (m) => ({ ...m, text: 'changed' }));
    expect(texts(u)).toEqual(['q1', 'changed', 'q2', 'a2']);
    expect(u.messages[0]).toBe(t.messages[0]);
    expect(updateNode(t, 'nope', (m) => m)).toBe(t);
  });
});

describe('conversations stored before trees', () => {
  it('a flat list becomes one branch, unchanged otherwise', () => {
    const flat = { messages: [node('u'), node('a'), node('u2'), node('a2')] };
    const t = migrateFlat(flat);
    expect(texts(t)).toEqual(['u', 'a', 'u2', 'a2']);
    expect(t.messages.map((m) => m.parentId)).toEqual([null, 'u', 'a', 'u2']);
    expect(migrateFlat(t)).toBe(t); // a tree stays as it is
  });

  it('every conversation the flat release wrote reads as its path, message for message', () => {
    const fixture = JSON.parse(
      readFileSync(new URL('../e2e/fixtures/indexeddb-flat-v1.json', import.meta.url), 'utf8'),
    ) as { records: { messages: (Node & Record<string, unknown>)[] }[] };
    expect(fixture.records.length).toBeGreaterThanOrEqual(6);
    for (const record of fixture.records) {
      const t = migrateFlat(record);
      expect(pathOf(t).map(({ parentId: _, ...m }) => m)).toEqual(record.messages);
    }
  });
});
