'use client';
import { useId } from 'react';
import { useTranslations } from 'next-intl';
import type { StoredMessage } from '@/lib/client/types';
import { canContinue, chatActions } from '@/lib/client/store';
import { errorView } from '@/lib/client/error-view';
import { Markdown } from '@/components/markdown';
import { CopyButton } from '@/components/copy-button';
import { PlayIcon, RefreshIcon } from '@/components/icons';
import { ErrorAlert } from '@/components/message/error-alert';
import { VersionSwitcher, type Versions } from '@/components/message/version-switcher';
import { RegenerateWith } from '@/components/message/regenerate-with';
import { MessageTime } from '@/components/message/message-time';
import {
  OmittedNote,
  ReconnectingNotice,
  StoppedNote,
  CutShortNote,
  WaitingNotice,
} from '@/components/message/notices';
import { Reasoning } from '@/components/message/reasoning';
import { useSecondsLeft } from '@/components/message/use-seconds-left';
import { useWaitingSeconds } from '@/components/message/use-waiting-seconds';

/**
 * A reply. Re-rendered at each flush of its stream (about 30 times a second at most), so the
 * pieces that do not change with the text are memoised: the markdown (on its text), the
 * reasoning (on its text and state) and the time.
 */
export function AssistantMessage({
  message,
  isLast,
  reconnecting,
  busy,
  versions,
}: {
  message: StoredMessage;
  isLast: boolean;
  reconnecting: boolean;
  /** A reply streams at the end of the branch shown. */
  busy: boolean;
  versions?: Versions;
}) {
  const t = useTranslations();
  const { status, error, reasoning, content } = message;
  const streaming = status === 'streaming';
  const waitId = useId();
  // Only the last reply can be retried: an older error does not count down (nothing waits on it).
  const secondsLeft = useSecondsLeft(status === 'error' && isLast ? error?.retryAt : undefined);
  const retry = status === 'error' && (!error || errorView(error, t).retry);
  const waited = useWaitingSeconds(
    streaming && !content && !reasoning,
    message.createdAt,
    !!message.waiting,
  );
  return (
    <article
      aria-label={t('message.assistant')}
      data-status={status}
      className="group max-w-full min-w-0"
    >
      {!!message.omittedMessages && <OmittedNote count={message.omittedMessages} />}
      {reasoning && (
        <Reasoning text={reasoning} live={streaming && !content} thoughtMs={message.thoughtMs} />
      )}
      <div
        className="prose prose-zinc dark:prose-invert prose-pre:bg-zinc-900 prose-pre:text-zinc-100 prose-code:before:content-none prose-code:after:content-none max-w-none break-words"
        data-testid="assistant-text"
      >
        {content ? <Markdown text={content} streaming={streaming} /> : null}
      </div>
      {streaming && reconnecting && <ReconnectingNotice />}
      {streaming && message.waiting && <WaitingNotice waiting={message.waiting} />}
      {streaming && !reconnecting && !message.waiting && !(reasoning && !content) && (
        <p className="mt-1 flex items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
          <span
            className="inline-block size-2 animate-pulse rounded-full bg-blue-600"
            aria-hidden
          />
          {content ? t('message.streaming') : <FirstTokenWait seconds={waited} />}
        </p>
      )}
      {status === 'stopped' && <StoppedNote reason={message.stopReason} />}
      {status === 'done' && message.cutShort && <CutShortNote reason={message.cutShort} />}
      {status === 'error' && error && (
        <ErrorAlert error={error} waitId={waitId} secondsLeft={secondsLeft} />
      )}
      {streaming && versions && (
        <div className="mt-1">
          <VersionSwitcher messageId={message.id} versions={versions} disabled={busy} />
        </div>
      )}
      {!streaming && (
        <div className="mt-1 flex flex-wrap items-center gap-1">
          {versions && (
            <VersionSwitcher messageId={message.id} versions={versions} disabled={busy} />
          )}
          {content && <CopyButton text={content} />}
          {isLast && retry && (
            <button
              type="button"
              className="btn-ghost"
              disabled={secondsLeft > 0}
              aria-describedby={secondsLeft > 0 ? waitId : undefined}
              onClick={() => chatActions.regenerate()}
            >
              <RefreshIcon />
              {t('message.retry')}
            </button>
          )}
          {isLast && status !== 'error' && (
            <button type="button" className="btn-ghost" onClick={() => chatActions.regenerate()}>
              <RefreshIcon />
              <span className="sr-only sm:not-sr-only">{t('message.regenerate')}</span>
            </button>
          )}
          {isLast && <RegenerateWith current={message.model} />}
          {isLast && canContinue(message) && content && (
            <button type="button" className="btn-ghost" onClick={() => chatActions.continue()}>
              <PlayIcon />
              {t('message.continue')}
            </button>
          )}
          <span className="opacity-100 sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100">
            <MessageTime at={message.createdAt} />
          </span>
          {content && <Figures message={message} />}
        </div>
      )}
    </article>
  );
}

/** Before the first token: a sign of life, then the seconds, then why it may take a while. */
function FirstTokenWait({ seconds }: { seconds: number }) {
  const t = useTranslations();
  if (seconds < 3) return t('message.thinking');
  return (
    <span className="tabular-nums">
      {t('message.waitingSeconds', { seconds })}
      {seconds >= 10 && <span className="block">{t('message.slowStart')}</span>}
    </span>
  );
}

/** Time to first token, speed and token usage, when known (not under a reply with no text). */
function Figures({ message }: { message: StoredMessage }) {
  const t = useTranslations();
  const parts: string[] = [];
  if (message.model) parts.push(message.model);
  if (message.metrics?.ttftMs !== undefined)
    parts.push(t('message.ttft', { ms: message.metrics.ttftMs }));
  if (message.metrics?.tokensPerSecond !== undefined)
    parts.push(t('message.speed', { rate: message.metrics.tokensPerSecond }));
  if (message.usage) {
    parts.push(
      t('message.usage', {
        prompt: message.usage.promptTokens,
        completion: message.usage.completionTokens,
      }),
    );
  }
  if (parts.length === 0) return null;
  return (
    <p
      className="ml-auto text-xs text-zinc-600 tabular-nums dark:text-zinc-400"
      data-testid="figures"
    >
      {parts.join(' · ')}
    </p>
  );
}
