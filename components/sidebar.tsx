'use client';
import { useMemo, useRef, useState } from 'react';
import type { Conversation } from '@/lib/client/types';
import { chatActions } from '@/lib/client/chat-store';
import { EditIcon, PlusIcon, TrashIcon } from '@/components/icons';

/** Conversations: new, search, switch, rename, delete, import. */
export function Sidebar({
  conversations,
  activeId,
  onNavigate,
}: {
  conversations: Conversation[];
  activeId: string | null;
  /** Called after a choice, so the phone layout can close the drawer. */
  onNavigate: () => void;
}) {
  const [query, setQuery] = useState('');
  const [renaming, setRenaming] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return conversations;
    return conversations.filter(
      (c) =>
        c.title.toLowerCase().includes(q) ||
        c.messages.some((m) => m.content.toLowerCase().includes(q)),
    );
  }, [conversations, query]);

  return (
    <nav aria-label="Chats" className="flex h-full flex-col gap-3 p-3">
      <button
        type="button"
        className="btn-primary w-full"
        onClick={() => {
          chatActions.newChat();
          onNavigate();
        }}
      >
        <PlusIcon />
        New chat
      </button>
      <input
        type="search"
        aria-label="Search chats"
        placeholder="Search chats"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        className="field"
      />
      <ul className="-mx-1 flex-1 space-y-0.5 overflow-y-auto px-1" aria-label="Chat history">
        {shown.length === 0 && (
          <li className="px-2 py-4 text-center text-sm text-zinc-600 dark:text-zinc-400">
            {query ? 'No chat matches.' : 'No chats yet.'}
          </li>
        )}
        {shown.map((c) =>
          renaming === c.id ? (
            <li key={c.id}>
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  const title = new FormData(e.currentTarget).get('title');
                  chatActions.rename(c.id, String(title ?? ''));
                  setRenaming(null);
                }}
              >
                <input
                  name="title"
                  aria-label="Chat title"
                  defaultValue={c.title}
                  autoFocus
                  onBlur={(e) => e.currentTarget.form?.requestSubmit()}
                  onKeyDown={(e) => e.key === 'Escape' && setRenaming(null)}
                  className="field"
                />
              </form>
            </li>
          ) : (
            <li key={c.id} className="group relative">
              <button
                type="button"
                aria-current={c.id === activeId ? 'page' : undefined}
                onClick={() => {
                  chatActions.select(c.id);
                  onNavigate();
                }}
                className="w-full truncate rounded-md py-2 pr-16 pl-2 text-left text-sm hover:bg-zinc-200/60 focus-visible:outline-2 focus-visible:outline-blue-600 aria-[current=page]:bg-zinc-200 dark:hover:bg-zinc-800 dark:aria-[current=page]:bg-zinc-800"
              >
                {c.title}
                {c.messages.at(-1)?.status === 'streaming' && (
                  <span className="ml-1 text-blue-600" aria-label="(replying)">
                    •
                  </span>
                )}
              </button>
              <div className="absolute top-1 right-1 flex opacity-100 group-focus-within:opacity-100 group-hover:opacity-100 sm:opacity-0">
                <button
                  type="button"
                  className="btn-ghost px-1.5"
                  aria-label={`Rename ${c.title}`}
                  onClick={() => setRenaming(c.id)}
                >
                  <EditIcon />
                </button>
                <button
                  type="button"
                  className="btn-ghost px-1.5"
                  aria-label={`Delete ${c.title}`}
                  onClick={() => {
                    if (confirm(`Delete “${c.title}”?`)) void chatActions.remove(c.id);
                  }}
                >
                  <TrashIcon />
                </button>
              </div>
            </li>
          ),
        )}
      </ul>
      <div className="border-t border-zinc-200 pt-2 dark:border-zinc-800">
        <button
          type="button"
          className="btn-ghost w-full justify-center"
          onClick={() => fileInput.current?.click()}
        >
          Import chats (JSON)
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          aria-label="Import file"
          className="hidden"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (!file) return;
            chatActions
              .importFile(file)
              .then((n) => setNotice(`Imported ${n} chat${n === 1 ? '' : 's'}.`))
              .catch((err: unknown) =>
                setNotice(err instanceof Error ? err.message : 'Import failed.'),
              );
          }}
        />
        <p role="status" className="px-2 text-xs text-zinc-600 dark:text-zinc-400">
          {notice}
        </p>
      </div>
    </nav>
  );
}
