/**
 * IndexedDB persistence (through `idb`): one object store of whole conversations. Every write is
 * announced on a BroadcastChannel so other tabs reload what changed. Conversations stored before
 * trees (flat message lists) are read as trees of one branch; no database upgrade is needed.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { Conversation } from '@/lib/client/types';
import { migrateFlat } from '@/lib/client/tree';

const DB_NAME = 'streamchat';
const STORE = 'conversations';

let dbPromise: Promise<IDBPDatabase> | undefined;

function db(): Promise<IDBPDatabase> {
  dbPromise ??= openDB(DB_NAME, 1, {
    upgrade(database) {
      const store = database.createObjectStore(STORE, { keyPath: 'id' });
      store.createIndex('updatedAt', 'updatedAt');
    },
  });
  return dbPromise;
}

export async function loadConversations(): Promise<Conversation[]> {
  const all = (await (await db()).getAll(STORE)) as Conversation[];
  return all.map(migrateFlat).sort((a, b) => b.updatedAt - a.updatedAt);
}

export async function loadConversation(id: string): Promise<Conversation | undefined> {
  const c = (await (await db()).get(STORE, id)) as Conversation | undefined;
  // Stored before trees: read as one branch (written back as a tree at the next save).
  return c && migrateFlat(c);
}

export async function saveConversation(conversation: Conversation): Promise<void> {
  await (await db()).put(STORE, conversation);
}

export async function deleteConversation(id: string): Promise<void> {
  await (await db()).delete(STORE, id);
}
