'use client';
import { useId, useRef } from 'react';
import { useTranslations } from 'next-intl';
import type { Conversation } from '@/lib/client/types';
import type { Snippet } from '@/lib/client/search';
import { EditIcon, TrashIcon } from '@/components/icons';
import { hasStreaming } from '@/lib/client/store';

/**
 * One chat in the history: its button (a dot first while it replies, so a long title never hides
 * it), a search snippet when the match is in what was said, and Rename/Delete. Those two only
 * take room from the title while they show (hover, focus, the open chat, always on a phone).
 */
export function ChatRow({
  chat,
  current,
  heading,
  snippet,
  renaming,
  onOpen,
  onRename,
  onRenameDone,
  onDelete,
}: {
  chat: Conversation;
  current: boolean;
  /** The date group this row opens, if it is the first of one. */
  heading?: string;
  snippet: Snippet | null;
  renaming: boolean;
  onOpen: () => void;
  onRename: () => void;
  /** `title` null: cancelled; `viaBlur`: focus already went somewhere on purpose. */
  onRenameDone: (title: string | null, viaBlur: boolean) => void;
  onDelete: () => void;
}) {
  const t = useTranslations();
  const snippetId = useId();
  const done = useRef(false);
  const replying = hasStreaming(chat);
  return (
    <li>
      {heading && (
        <h2 className="px-2 pt-3 pb-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">
          {heading}
        </h2>
      )}
      {renaming ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            done.current = true;
            onRenameDone(String(new FormData(e.currentTarget).get('title') ?? ''), false);
          }}
        >
          <input
            name="title"
            aria-label={t('sidebar.chatTitle')}
            defaultValue={chat.title}
            autoFocus
            onBlur={(e) => {
              if (done.current) return;
              done.current = true;
              onRenameDone(e.currentTarget.value, e.relatedTarget !== null);
            }}
            onKeyDown={(e) => {
              if (e.key !== 'Escape') return;
              e.stopPropagation(); // not the drawer's Escape
              done.current = true;
              onRenameDone(null, false);
            }}
            className="field"
          />
        </form>
      ) : (
        <div className="group relative" data-current={current || undefined}>
          <button
            type="button"
            data-chat-id={chat.id}
            aria-label={replying ? t('sidebar.replyingTitle', { title: chat.title }) : chat.title}
            aria-describedby={snippet ? snippetId : undefined}
            aria-current={current ? 'page' : undefined}
            onClick={onOpen}
            className="flex w-full min-w-0 flex-col rounded-md py-2 pr-16 pl-2 text-left text-sm group-focus-within:pr-16 hover:bg-zinc-200/60 focus-visible:outline-2 focus-visible:outline-blue-600 aria-[current=page]:bg-zinc-200 sm:pr-2 sm:group-hover:pr-16 sm:aria-[current=page]:pr-16 dark:hover:bg-zinc-800 dark:aria-[current=page]:bg-zinc-800"
          >
            <span className="flex w-full min-w-0 items-center gap-1.5">
              {replying && (
                <span
                  data-testid="replying"
                  className="size-2 shrink-0 animate-pulse rounded-full bg-blue-600 motion-reduce:animate-none dark:bg-blue-400"
                >
                  <span className="sr-only">{t('sidebar.replying')}</span>
                </span>
              )}
              <span className="truncate">{chat.title}</span>
            </span>
            {snippet && (
              <span
                id={snippetId}
                className="block w-full truncate text-xs text-zinc-600 dark:text-zinc-400"
              >
                {snippet.before}
                <mark className="rounded-sm bg-yellow-200 text-zinc-900 dark:bg-yellow-300">
                  {snippet.match}
                </mark>
                {snippet.after}
              </span>
            )}
          </button>
          <div className="absolute top-1 right-1 flex opacity-100 group-focus-within:opacity-100 sm:opacity-0 sm:group-hover:opacity-100 sm:group-data-current:opacity-100">
            <button
              type="button"
              className="btn-ghost px-1.5"
              aria-label={t('sidebar.rename', { title: chat.title })}
              onClick={onRename}
            >
              <EditIcon />
            </button>
            <button
              type="button"
              className="btn-ghost px-1.5"
              aria-label={t('sidebar.delete', { title: chat.title })}
              onClick={onDelete}
            >
              <TrashIcon />
            </button>
          </div>
        </div>
      )}
    </li>
  );
}
