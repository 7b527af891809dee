'use client';
import { useEffect, useRef, useState } from 'react';
import type { Conversation } from '@/lib/client/types';

/**
 * A polite live region: says when a reply starts and, once it ends, its beginning — never each
 * token, which would make a screen reader unusable.
 */
export function LiveAnnouncer({ conversation }: { conversation: Conversation | undefined }) {
  const last = conversation?.messages.at(-1);
  const [text, setText] = useState('');
  const seen = useRef<string | undefined>(undefined);

  const key = last?.role === 'assistant' ? `${last.id}:${last.status}` : undefined;
  useEffect(() => {
    if (!key || !last || seen.current === key) return;
    const first = seen.current === undefined;
    seen.current = key;
    if (first && last.status !== 'streaming') return; // opening an old chat says nothing
    const snippet = last.content.length > 200 ? `${last.content.slice(0, 200)}…` : last.content;
    const message =
      last.status === 'streaming'
        ? 'The assistant is replying.'
        : last.status === 'done'
          ? `The assistant replied: ${snippet}`
          : last.status === 'stopped'
            ? 'The reply was stopped.'
            : `The reply failed: ${last.error?.message ?? ''}`;
    // Set from an effect on purpose: the region must change after it is in the DOM.
    setText(message);
  }, [key, last]);

  return (
    <div aria-live="polite" role="status" className="sr-only" data-testid="announcer">
      {text}
    </div>
  );
}
