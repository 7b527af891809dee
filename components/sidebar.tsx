'use client';
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { useLocale, useTranslations } from 'next-intl';
import type { Conversation } from '@/lib/client/types';
import { chatActions, type Removed } from '@/lib/client/store';
import { groupByDate } from '@/lib/client/date-groups';
import { conversationSnippet, matchesQuery, normalizeQuery } from '@/lib/client/search';
import { clearSearchHighlight, showSearchMatch } from '@/lib/client/search-highlight';
import { say } from '@/lib/client/translate';
import { PlusIcon } from '@/components/icons';
import { ChatRow } from '@/components/sidebar/chat-row';

const BulkSelect = lazy(() => import('@/components/sidebar/bulk-select'));

/** How long Undo is offered after a delete. */
const UNDO_MS = 8000;

/** Where focus goes once the row it was on changes: a chat's row, or New chat. */
type FocusTarget = { chatId: string } | 'new-chat';

/** Conversations: new, search, switch, rename, delete (with undo), select, import, export. */
export function Sidebar({
  conversations,
  activeId,
  onNavigate,
  onHide,
}: {
  conversations: Conversation[];
  activeId: string | null;
  /** Called after a choice, so the phone layout can close the drawer. */
  onNavigate: () => void;
  /** Hides the sidebar (wide screens only; the drawer has its own close). */
  onHide?: () => void;
}) {
  const t = useTranslations();
  const locale = useLocale();
  const [query, setQuery] = useState('');
  const [renaming, setRenaming] = useState<string | null>(null);
  const [selecting, setSelecting] = useState(false);
  // What was just done (deleted, restored, imported), or why an import failed (`failed`: shown as
  // an error, not as news).
  const [notice, setNoticeState] = useState({ text: '', failed: false });
  const setNotice = (text: string, failed = false) => setNoticeState({ text, failed });
  const [undo, setUndo] = useState<Removed | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const nav = useRef<HTMLElement>(null);
  const focusNext = useRef<FocusTarget | null>(null);

  const q = normalizeQuery(query);
  const shown = useMemo(() => conversations.filter((c) => matchesQuery(c, q)), [conversations, q]);
  // Date groups follow the clock: a page left open overnight regroups within a minute.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const groups = useMemo(
    () => groupByDate(shown, (c) => c.updatedAt, now, t, locale),
    [shown, now, t, locale],
  );

  // Focus moves after the render that changed the rows (never left on <body>).
  useEffect(() => {
    const target = focusNext.current;
    if (!target) return;
    const el =
      target === 'new-chat'
        ? nav.current?.querySelector<HTMLElement>('[data-new-chat]')
        : nav.current?.querySelector<HTMLElement>(`[data-chat-id="${CSS.escape(target.chatId)}"]`);
    if (el) {
      focusNext.current = null;
      el.focus();
    }
  });

  // The Undo offer ends after a while.
  useEffect(() => {
    if (!undo) return;
    const timer = setTimeout(() => setUndo(null), UNDO_MS);
    return () => clearTimeout(timer);
  }, [undo]);

  // No query, no highlighted matches in the open chat.
  useEffect(() => {
    if (!q) clearSearchHighlight();
  }, [q]);

  /** Deletes at once; the next row (else the previous, else New chat) takes the focus. */
  async function remove(ids: string[]) {
    const gone = new Set(ids);
    const index = shown.findIndex((c) => gone.has(c.id));
    const rest = shown.filter((c) => !gone.has(c.id));
    const next = rest[index] ?? rest[index - 1];
    focusNext.current = next ? { chatId: next.id } : 'new-chat';
    const removed = await chatActions.remove(ids);
    const [only] = removed.conversations;
    setNotice(
      removed.conversations.length === 1 && only
        ? t('sidebar.deleted', { title: only.title })
        : t('sidebar.deletedMany', { count: removed.conversations.length }),
    );
    setUndo(removed);
  }

  async function restore(removed: Removed) {
    setUndo(null);
    const [first] = removed.conversations;
    if (first) focusNext.current = { chatId: first.id };
    await chatActions.restore(removed);
    setNotice(
      removed.conversations.length === 1 && first
        ? t('sidebar.restored', { title: first.title })
        : t('sidebar.restoredMany', { count: removed.conversations.length }),
    );
  }

  return (
    <nav ref={nav} aria-label={t('app.chats')} className="flex h-full flex-col gap-3 p-3">
      <div className="flex gap-2">
        <button
          type="button"
          data-new-chat
          className="btn-primary flex-1"
          onClick={() => {
            clearSearchHighlight();
            chatActions.newChat();
            onNavigate();
          }}
        >
          <PlusIcon />
          {t('app.newChat')}
        </button>
        {onHide && (
          <button
            type="button"
            className="btn-ghost px-2"
            aria-label={t('sidebar.hide')}
            data-sidebar-toggle="hide"
            title={t('sidebar.hide')}
            onClick={onHide}
          >
            <PanelIcon />
          </button>
        )}
      </div>
      <input
        type="search"
        aria-label={t('sidebar.search')}
        placeholder={t('sidebar.search')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        className="field"
      />
      {selecting ? (
        <Suspense fallback={<p className="flex-1 px-2 text-sm">{t('sidebar.loading')}</p>}>
          <BulkSelect
            conversations={shown}
            onCancel={() => setSelecting(false)}
            onDelete={(ids) => {
              setSelecting(false);
              void remove(ids);
            }}
          />
        </Suspense>
      ) : (
        <ul className="-mx-1 flex-1 overflow-y-auto px-1" aria-label={t('sidebar.history')}>
          {shown.length === 0 && (
            <li className="px-2 py-4 text-center text-sm text-zinc-600 dark:text-zinc-400">
              {query ? t('sidebar.noMatch') : t('sidebar.empty')}
            </li>
          )}
          {groups.map((group) =>
            group.items.map((c, i) => (
              <ChatRow
                key={c.id}
                chat={c}
                current={c.id === activeId}
                heading={i === 0 ? group.label : undefined}
                snippet={conversationSnippet(c, q)}
                renaming={renaming === c.id}
                onOpen={() => {
                  chatActions.select(c.id);
                  if (q) showSearchMatch(q);
                  else clearSearchHighlight();
                  onNavigate();
                }}
                onRename={() => setRenaming(c.id)}
                onRenameDone={(title, viaBlur) => {
                  if (title !== null) chatActions.rename(c.id, title);
                  setRenaming(null);
                  // Blurred by a click elsewhere: focus stays where the person put it.
                  if (!viaBlur) focusNext.current = { chatId: c.id };
                }}
                onDelete={() => void remove([c.id])}
              />
            )),
          )}
        </ul>
      )}
      <div className="space-y-1 border-t border-zinc-200 pt-2 dark:border-zinc-800">
        {!selecting && (
          <div className="flex gap-1">
            <button
              type="button"
              className="btn-ghost flex-1 justify-center"
              disabled={conversations.length === 0}
              onClick={() => setSelecting(true)}
            >
              {t('sidebar.select')}
            </button>
            <button
              type="button"
              className="btn-ghost flex-1 justify-center"
              disabled={conversations.length === 0}
              onClick={() =>
                void import('@/lib/client/export-all').then((m) => m.exportAll(conversations))
              }
            >
              {t('sidebar.exportAll')}
            </button>
          </div>
        )}
        <button
          type="button"
          className="btn-ghost w-full justify-center"
          onClick={() => fileInput.current?.click()}
        >
          {t('sidebar.import')}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          aria-label={t('sidebar.importFile')}
          className="hidden"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (!file) return;
            chatActions
              .importFile(file)
              .then(async ({ imported, skipped }) => {
                const { importSummary } = await import('@/lib/client/import-plan');
                setNotice(say(t, importSummary(imported, skipped)));
                setQuery(''); // so the opened chat shows, on top
              })
              .catch((err: unknown) => {
                // A file this app cannot read says why (`ImportError`); anything else failed.
                const key = (err as { key?: unknown } | null)?.key;
                setNotice(t(typeof key === 'string' ? key : 'sidebar.importFailed'), true);
              });
          }}
        />
        <div className="flex min-h-6 items-center gap-2 px-2">
          <p
            role="status"
            className={`min-w-0 flex-1 text-xs ${notice.failed ? 'font-medium text-red-700 dark:text-red-400' : 'text-zinc-600 dark:text-zinc-400'}`}
          >
            {notice.text}
          </p>
          {undo && (
            <button
              type="button"
              className="btn-ghost shrink-0 px-2 py-0.5 font-medium text-blue-700 dark:text-blue-300"
              onClick={() => void restore(undo)}
            >
              {t('sidebar.undo')}
            </button>
          )}
        </div>
      </div>
    </nav>
  );
}

const PanelIcon = () => (
  <svg
    width={16}
    height={16}
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    strokeWidth={2}
    strokeLinecap="round"
    strokeLinejoin="round"
    aria-hidden
  >
    <rect x="3" y="4" width="18" height="16" rx="2" />
    <path d="M9 4v16" />
  </svg>
);
