'use client';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslations } from 'next-intl';
import type { Conversation } from '@/lib/client/types';
import { comparedAnswers, isStreaming, shownPath } from '@/lib/client/store';
import { versionIndex } from '@/lib/client/tree';
import { Message } from '@/components/message';
import { ArrowDownIcon } from '@/components/icons';

/** Loaded the first time a compare is shown. */
const CompareView = lazy(() => import('@/components/message/compare-view'));

/** The example prompts of an empty chat (sent as they read, in the interface's language). */
const EXAMPLES = [
  'conversation.example1',
  'conversation.example2',
  'conversation.example3',
  'conversation.example4',
];

/**
 * The message list. It follows a streaming reply while the person is at the bottom, stops
 * following as soon as they scroll up, and then offers "Jump to latest".
 */
export function ConversationView({
  conversation,
  reconnecting,
  onExample,
}: {
  conversation: Conversation | undefined;
  reconnecting: ReadonlySet<string>;
  onExample: (text: string) => void;
}) {
  const t = useTranslations();
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLElement>(null);
  const pinned = useRef(true);
  /** A "Jump to latest" scroll is under way: its intermediate positions do not unpin. */
  const jumping = useRef(false);
  const [showJump, setShowJump] = useState(false);
  // The versions shown, and for each message with other versions, where it stands among them.
  const path = conversation ? shownPath(conversation) : [];
  // A compare waiting for a pick: its answers side by side in place of the last one.
  const compared = comparedAnswers(conversation);
  const messages =
    compared.length > 1 && compared.some((m) => m.id === path.at(-1)?.id)
      ? path.slice(0, -1)
      : path;
  const comparing = messages !== path;
  const versions = useMemo(
    () => (conversation ? versionIndex(conversation) : undefined),
    [conversation],
  );
  const busy = isStreaming(conversation);

  const toBottom = useCallback((smooth = false) => {
    const el = scroller.current;
    if (!el) return;
    pinned.current = true;
    jumping.current = smooth;
    setShowJump(false);
    el.scrollTo({ top: el.scrollHeight, behavior: smooth ? 'smooth' : 'instant' });
  }, []);

  // A different conversation opens at its end.
  useEffect(() => {
    toBottom();
  }, [conversation?.id, toBottom]);

  // The person sent a message (or edited one, or asked again): show it and follow the reply,
  // even if they had scrolled up to read something.
  const lastUserId = messages.findLast((m) => m.role === 'user')?.id;
  const lastId = messages.at(-1)?.id;
  const seen = useRef({ conversation: conversation?.id, lastId });
  useEffect(() => {
    const before = seen.current;
    seen.current = { conversation: conversation?.id, lastId };
    if (before.conversation === conversation?.id && before.lastId !== lastId && lastUserId) {
      toBottom();
    }
  }, [conversation?.id, lastId, lastUserId, toBottom]);

  // The content grew (new text, a highlighted code block, a reply's footer): follow it if
  // pinned, otherwise offer the jump. A ResizeObserver runs after layout, so following costs no
  // extra layout per token, and it sees every change of height, whatever caused it.
  const hasContent = messages.length > 0;
  useEffect(() => {
    const el = scroller.current;
    const section = content.current;
    if (!el || !section) return;
    const observer = new ResizeObserver(() => {
      if (pinned.current) el.scrollTop = el.scrollHeight;
      else setShowJump(true);
    });
    observer.observe(section);
    return () => observer.disconnect();
  }, [hasContent, conversation?.id]);

  if (!conversation || messages.length === 0) {
    return (
      <div className="flex flex-1 flex-col items-center justify-center gap-6 overflow-y-auto p-6">
        <h2 className="text-2xl font-semibold">{t('conversation.empty')}</h2>
        <ul
          className="grid w-full max-w-2xl gap-2 sm:grid-cols-2"
          aria-label={t('conversation.examples')}
        >
          {EXAMPLES.map((key) => t(key)).map((text) => (
            <li key={text}>
              <button
                type="button"
                onClick={() => onExample(text)}
                className="h-full w-full rounded-xl border border-zinc-200 px-4 py-3 text-left text-sm hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-blue-600 dark:border-zinc-800 dark:hover:bg-zinc-900"
              >
                {text}
              </button>
            </li>
          ))}
        </ul>
      </div>
    );
  }

  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
      <div
        ref={scroller}
        className="flex-1 overflow-y-auto"
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          if (jumping.current && !atBottom) return;
          jumping.current = false;
          pinned.current = atBottom;
          if (atBottom) setShowJump(false);
        }}
        // The person takes over the scroll: a jump under way no longer holds the view.
        onWheel={() => (jumping.current = false)}
        onTouchMove={() => (jumping.current = false)}
        onKeyDown={() => (jumping.current = false)}
      >
        <section
          ref={content}
          aria-label={t('conversation.label')}
          data-conversation
          className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-6"
        >
          {messages.map((m, i) => {
            const v = versions?.get(m.id);
            return (
              <Message
                key={m.id}
                message={m}
                isLast={i === messages.length - 1}
                busy={busy}
                reconnecting={reconnecting.has(m.id)}
                versionIndex={v?.index ?? 0}
                versionCount={v?.ids.length ?? 1}
                previousVersion={v?.ids[v.index - 1]}
                nextVersion={v?.ids[v.index + 1]}
              />
            );
          })}
          {comparing && (
            <Suspense fallback={null}>
              <CompareView answers={compared} reconnecting={reconnecting} />
            </Suspense>
          )}
        </section>
      </div>
      {showJump && (
        <button
          type="button"
          onClick={() => toBottom(true)}
          className="absolute bottom-3 left-1/2 flex -translate-x-1/2 items-center gap-1.5 rounded-full border border-zinc-200 bg-white px-3 py-1.5 text-sm shadow-md hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-blue-600 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
        >
          <ArrowDownIcon />
          {t('conversation.jump')}
        </button>
      )}
    </div>
  );
}
