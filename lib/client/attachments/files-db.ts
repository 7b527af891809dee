/**
 * The bytes of attachments, in IndexedDB as Blobs (never base64 inside a conversation record,
 * which is written again on every save while a reply streams). A database of its own: tabs of the
 * release before attachments keep `streamchat` open at its version, so a new store there would
 * wait for them to close. Each file names its conversation, which deletes them with it; a file
 * whose conversation is gone (a page closed between the two writes) is dropped at the next start.
 */
import { openDB, type IDBPDatabase } from 'idb';

const DB_NAME = 'streamchat-files';
const STORE = 'files';

export interface StoredFile {
  id: string;
  conversationId: string;
  blob: Blob;
  /** When it was written (epoch ms). */
  savedAt: number;
}

let dbPromise: Promise<IDBPDatabase> | undefined;

function db(): Promise<IDBPDatabase> {
  dbPromise ??= openDB(DB_NAME, 1, {
    upgrade(database) {
      const store = database.createObjectStore(STORE, { keyPath: 'id' });
      store.createIndex('conversationId', 'conversationId');
    },
    // A later release that upgrades this database is not kept waiting by this tab.
    blocking() {
      void dbPromise?.then((d) => d.close());
      dbPromise = undefined;
    },
  });
  return dbPromise;
}

/** Blobs read or written by this page: sending again does not read IndexedDB again. */
const cache = new Map<string, Blob>();

/** Keeps files of a conversation (at once in this page, in IndexedDB when the write ends). */
export async function putFiles(files: StoredFile[]): Promise<void> {
  if (files.length === 0) return;
  for (const f of files) cache.set(f.id, f.blob);
  const tx = (await db()).transaction(STORE, 'readwrite');
  await Promise.all([...files.map((f) => tx.store.put(f)), tx.done]);
}

/** A file's bytes, or undefined when it is not stored (an import without them). */
export async function getBlob(id: string): Promise<Blob | undefined> {
  const cached = cache.get(id);
  if (cached) return cached;
  const file = (await (await db()).get(STORE, id)) as StoredFile | undefined;
  if (file) cache.set(id, file.blob);
  return file?.blob;
}

export async function filesOf(conversationId: string): Promise<StoredFile[]> {
  return (await (
    await db()
  ).getAllFromIndex(STORE, 'conversationId', conversationId)) as StoredFile[];
}

/** Deletes files by id, or (`keep` given) every file of the conversation not in `keep`. */
export async function deleteFiles(
  conversationId: string,
  keep: ReadonlySet<string> = new Set(),
): Promise<StoredFile[]> {
  const gone = (await filesOf(conversationId)).filter((f) => !keep.has(f.id));
  if (gone.length === 0) return [];
  const tx = (await db()).transaction(STORE, 'readwrite');
  await Promise.all([...gone.map((f) => tx.store.delete(f.id)), tx.done]);
  for (const f of gone) cache.delete(f.id);
  return gone;
}

/**
 * Drops files whose conversation no longer exists, once they are a minute old (a conversation
 * being sent in another tab right now is saved just after its files).
 */
export async function dropOrphans(conversationIds: ReadonlySet<string>): Promise<void> {
  const database = await db();
  if ((await database.count(STORE)) === 0) return;
  const tx = database.transaction(STORE, 'readwrite');
  const before = Date.now() - 60_000;
  let cursor = await tx.store.openCursor();
  while (cursor) {
    const file = cursor.value as StoredFile;
    if (!conversationIds.has(file.conversationId) && file.savedAt < before) await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
}
