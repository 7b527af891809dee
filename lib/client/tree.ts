/**
 * A conversation as a tree of messages. Every message names its parent (`null` for the first
 * ones); siblings are the versions of one turn: editing a question adds a sibling of it,
 * regenerating an answer adds a sibling of the answer. What the person sees, and what is sent
 * upstream, is one path from a root to a leaf: at each fork, the child named in `selected` (keyed
 * by the parent's id, `ROOT` for the first turn), else the newest.
 *
 * Pure functions over plain data: nothing here touches storage, the network or React. Every
 * change returns new objects (the store compares by reference).
 */

export interface TreeNode {
  id: string;
  /** The message this one answers or follows; null for a first message. */
  parentId?: string | null;
  createdAt: number;
}

export interface Tree<M extends TreeNode> {
  /** Every message of every version, in the order they were created. */
  messages: M[];
  /** At each fork, the child shown (by parent id; ROOT for the first turn). */
  selected?: Record<string, string>;
}

/** The key of the first turn in `selected`. */
export const ROOT = '';

const keyOf = (parentId: string | null | undefined) => parentId ?? ROOT;

/**
 * A conversation stored before trees (a flat list, no `parentId`): each message follows the one
 * before it. A tree is returned as it is; messages added later to an old list are chained too.
 */
export function migrateFlat<M extends TreeNode, T extends Tree<M>>(tree: T): T {
  if (tree.messages.every((m) => m.parentId !== undefined)) return tree;
  let previous: string | null = null;
  const messages = tree.messages.map((m) => {
    const parentId: string | null = m.parentId === undefined ? previous : m.parentId;
    previous = m.id;
    return m.parentId === parentId ? m : { ...m, parentId };
  });
  return { ...tree, messages };
}

/** The children of a message (ROOT/null: the first turn's versions), oldest first. */
export function childrenOf<M extends TreeNode>(tree: Tree<M>, parentId: string | null): M[] {
  const key = keyOf(parentId);
  return tree.messages.filter((m) => keyOf(m.parentId) === key);
}

/** The child shown under a parent: the selected one if it still exists, else the newest. */
function shownChild<M extends TreeNode>(tree: Tree<M>, parentId: string | null): M | undefined {
  const children = childrenOf(tree, parentId);
  const chosen = tree.selected?.[keyOf(parentId)];
  return children.find((c) => c.id === chosen) ?? newest(children);
}

function newest<M extends TreeNode>(list: M[]): M | undefined {
  let best: M | undefined;
  for (const m of list) if (!best || m.createdAt >= best.createdAt) best = m;
  return best;
}

/** The messages shown, from the first to the leaf. */
export function pathOf<M extends TreeNode>(tree: Tree<M>): M[] {
  const path: M[] = [];
  const seen = new Set<string>();
  let next = shownChild(tree, null);
  while (next && !seen.has(next.id)) {
    seen.add(next.id);
    path.push(next);
    next = shownChild(tree, next.id);
  }
  return path;
}

/** The versions of a message's turn, and where it is among them (0-based). */
export function versionsOf<M extends TreeNode>(
  tree: Tree<M>,
  messageId: string,
): { index: number; ids: string[] } {
  const message = tree.messages.find((m) => m.id === messageId);
  if (!message) return { index: -1, ids: [] };
  const ids = childrenOf(tree, message.parentId ?? null).map((m) => m.id);
  return { index: ids.indexOf(messageId), ids };
}

/**
 * For every message with other versions: its place among them (messages alone in their turn are
 * left out). One pass over the tree.
 */
export function versionIndex<M extends TreeNode>(
  tree: Tree<M>,
): Map<string, { index: number; ids: string[] }> {
  const turns = new Map<string, string[]>();
  for (const m of tree.messages) {
    const key = keyOf(m.parentId);
    const ids = turns.get(key);
    if (ids) ids.push(m.id);
    else turns.set(key, [m.id]);
  }
  const out = new Map<string, { index: number; ids: string[] }>();
  for (const ids of turns.values()) {
    if (ids.length < 2) continue;
    ids.forEach((id, index) => out.set(id, { index, ids }));
  }
  return out;
}

/** Shows a version: it becomes the child shown under its parent (its own branch follows). */
export function showVersion<M extends TreeNode, T extends Tree<M>>(tree: T, messageId: string): T {
  const message = tree.messages.find((m) => m.id === messageId);
  if (!message) return tree;
  return { ...tree, selected: { ...tree.selected, [keyOf(message.parentId)]: messageId } };
}

/** Adds messages as a chain under `parentId` (null: a first turn) and shows them. */
export function addChain<M extends TreeNode, T extends Tree<M>>(
  tree: T,
  parentId: string | null,
  chain: M[],
): T {
  let parent = parentId;
  let selected = { ...tree.selected };
  const added = chain.map((m) => {
    const linked = { ...m, parentId: parent };
    selected = { ...selected, [keyOf(parent)]: m.id };
    parent = m.id;
    return linked;
  });
  return { ...tree, messages: [...tree.messages, ...added], selected };
}

/** Adds messages after the last one shown. */
export function append<M extends TreeNode, T extends Tree<M>>(tree: T, chain: M[]): T {
  return addChain(tree, pathOf(tree).at(-1)?.id ?? null, chain);
}

/** A new version of a message's turn (a sibling), followed by the rest of `chain`; shown. */
export function addVersion<M extends TreeNode, T extends Tree<M>>(
  tree: T,
  of: string,
  chain: M[],
): T {
  const message = tree.messages.find((m) => m.id === of);
  if (!message) return tree;
  return addChain(tree, message.parentId ?? null, chain);
}

/** The message and everything below it. */
export function subtreeIds<M extends TreeNode>(tree: Tree<M>, messageId: string): Set<string> {
  const ids = new Set([messageId]);
  // Messages are in creation order, so a child comes after its parent: one pass suffices.
  for (const m of tree.messages) if (m.parentId && ids.has(m.parentId)) ids.add(m.id);
  return ids;
}

/**
 * Deletes a version and its branch. The turn then shows the next version (or the previous one
 * when it was the last).
 */
export function removeVersion<M extends TreeNode, T extends Tree<M>>(
  tree: T,
  messageId: string,
): T {
  const message = tree.messages.find((m) => m.id === messageId);
  if (!message) return tree;
  const { index, ids } = versionsOf(tree, messageId);
  const gone = subtreeIds(tree, messageId);
  const selected = Object.fromEntries(
    Object.entries(tree.selected ?? {}).filter(([key, id]) => !gone.has(key) && !gone.has(id)),
  );
  const after = ids[index + 1] ?? ids[index - 1];
  if (after) selected[keyOf(message.parentId)] = after;
  return { ...tree, messages: tree.messages.filter((m) => !gone.has(m.id)), selected };
}

/** Replaces one message (by id) with what `change` makes of it. */
export function updateNode<M extends TreeNode, T extends Tree<M>>(
  tree: T,
  messageId: string,
  change: (m: M) => M,
): T {
  let found = false;
  const messages = tree.messages.map((m) => {
    if (m.id !== messageId) return m;
    found = true;
    return change(m);
  });
  return found ? { ...tree, messages } : tree;
}

/** The path shown up to (not including) a message: the history its reply answers. */
export function historyBefore<M extends TreeNode>(tree: Tree<M>, messageId: string): M[] {
  const byId = new Map(tree.messages.map((m) => [m.id, m]));
  const chain: M[] = [];
  let cursor = byId.get(messageId)?.parentId;
  const seen = new Set<string>();
  while (cursor && !seen.has(cursor)) {
    seen.add(cursor);
    const m = byId.get(cursor);
    if (!m) break;
    chain.push(m);
    cursor = m.parentId;
  }
  return chain.reverse();
}
