'use client';
import { useEffect, useRef, useState } from 'react';
import { useTranslations } from 'next-intl';
import type { Conversation } from '@/lib/client/types';
import { errorView } from '@/lib/client/error-view';
import { lastShown } from '@/lib/client/store';

/**
 * A polite live region: says when a reply starts and, once it ends, its beginning — never each
 * token, which would make a screen reader unusable.
 */
export function LiveAnnouncer({ conversation }: { conversation: Conversation | undefined }) {
  const t = useTranslations();
  const last = lastShown(conversation);
  const [text, setText] = useState('');
  const seen = useRef<{ conversation?: string; key?: string }>({});

  const key = last?.role === 'assistant' ? `${last.id}:${last.status}` : undefined;
  useEffect(() => {
    if (!key || !last || seen.current.key === key) return;
    // Opening a chat (or the page) says nothing about a reply that had already ended.
    const opened = seen.current.conversation !== conversation?.id;
    seen.current = { conversation: conversation?.id, key };
    if (opened && last.status !== 'streaming') return;
    const plain = plainText(last.content);
    const snippet = plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
    const message =
      last.status === 'streaming'
        ? t('announcer.replying')
        : last.status === 'done'
          ? t('announcer.replied', { text: snippet })
          : last.status === 'stopped'
            ? t('announcer.stopped')
            : t('announcer.failed', { text: last.error ? errorView(last.error, t).text : '' });
    // Set from an effect on purpose: the region must change after it is in the DOM.
    setText(message);
  }, [key, last, conversation?.id, t]);

  return (
    <div aria-live="polite" role="status" className="sr-only" data-testid="announcer">
      {text}
    </div>
  );
}

/** Markdown as a screen reader should say it: the words, without the syntax around them. */
function plainText(markdown: string): string {
  return markdown
    .replace(/```[^\n]*\n?/g, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/[*`|]+|~~/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
