'use client';
import { useState } from 'react';
import { useTranslations } from 'next-intl';
import type { Conversation } from '@/lib/client/types';

/**
 * Select mode: the history as checkboxes (each labelled by its chat's title), to delete several
 * chats at once. Loaded on first use, so it costs nothing on the page's first load.
 */
export default function BulkSelect({
  conversations,
  onDelete,
  onCancel,
}: {
  conversations: Conversation[];
  onDelete: (ids: string[]) => void;
  onCancel: () => void;
}) {
  const t = useTranslations();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  // Chats deleted meanwhile (another tab) drop out of the selection.
  const selected = conversations.filter((c) => chosen.has(c.id)).map((c) => c.id);
  const all = conversations.length > 0 && selected.length === conversations.length;
  return (
    <div className="-mx-1 flex min-h-0 flex-1 flex-col gap-2 px-1">
      <div className="flex items-center gap-2">
        <label className="flex items-center gap-2 px-2 text-sm">
          <input
            type="checkbox"
            checked={all}
            onChange={() => setChosen(all ? new Set() : new Set(conversations.map((c) => c.id)))}
          />
          {t('sidebar.selectAll')}
        </label>
      </div>
      <ul className="flex-1 space-y-0.5 overflow-y-auto" aria-label={t('sidebar.history')}>
        {conversations.map((c) => (
          <li key={c.id}>
            <label className="flex min-w-0 items-center gap-2 rounded-md px-2 py-2 text-sm hover:bg-zinc-200/60 dark:hover:bg-zinc-800">
              <input
                type="checkbox"
                checked={chosen.has(c.id)}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.target.checked) next.add(c.id);
                  else next.delete(c.id);
                  setChosen(next);
                }}
              />
              <span className="truncate">{c.title}</span>
            </label>
          </li>
        ))}
      </ul>
      <div className="flex gap-2">
        <button
          type="button"
          className="btn-primary flex-1 bg-red-700 px-2 hover:bg-red-800"
          disabled={selected.length === 0}
          onClick={() => onDelete(selected)}
        >
          {t('sidebar.deleteSelected', { count: selected.length })}
        </button>
        <button type="button" className="btn-ghost" onClick={onCancel}>
          {t('sidebar.cancel')}
        </button>
      </div>
    </div>
  );
}
