'use client';
import { useSyncExternalStore } from 'react';
import { useTranslations } from 'next-intl';
import {
  activeConversation,
  chatActions,
  chatStore,
  getServerSnapshot,
  shownPath,
} from '@/lib/client/store';
import { imageCount } from '@/lib/client/attachments/content';

/** The question the last answer answers holds images (only models that see can answer it). */
function questionHasImages(): boolean {
  const c = activeConversation(chatStore.getSnapshot());
  const question = c && shownPath(c).findLast((m) => m.role === 'user');
  return !!question && imageCount([question]) > 0;
}

/**
 * "Regenerate with…": a new version of the last answer from another model of `/api/models`. The
 * earlier version stays (‹ 1 / 2 ›), and the new one shows its model in its figures. When the
 * question holds images, models that cannot see them are listed but not offered (images earlier
 * in the chat are left out of what such a model is sent).
 */
export function RegenerateWith({ current }: { current: string | undefined }) {
  const t = useTranslations();
  const models = useSyncExternalStore(
    chatStore.subscribe,
    () => chatStore.getSnapshot().models,
    () => getServerSnapshot().models,
  );
  const images = useSyncExternalStore(chatStore.subscribe, questionHasImages, () => false);
  const others = models?.models.filter((m) => m.id !== current) ?? [];
  if (others.length === 0) return null;
  return (
    <select
      aria-label={t('message.regenerateWith')}
      value=""
      onChange={(e) => e.target.value && chatActions.regenerate(e.target.value)}
      className="[field-sizing:content] max-w-44 rounded-md bg-transparent py-1.5 pr-1 text-sm text-zinc-600 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:bg-zinc-950 dark:text-zinc-300 dark:hover:bg-zinc-800"
    >
      <option value="">{t('message.regenerateWithPick')}</option>
      {others.map((m) => (
        <option key={m.id} value={m.id} disabled={images && m.vision === false}>
          {images && m.vision === false ? t('message.cannotSee', { model: m.id }) : m.id}
        </option>
      ))}
    </select>
  );
}
