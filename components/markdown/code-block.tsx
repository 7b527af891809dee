'use client';
/**
 * A fenced code block: plain `<pre><code>` at once, coloured when the highlighter has answered,
 * with a "Copy code" button. Highlighting runs once per finished block. While the block is still
 * streaming it is not redone per token: only once the code has stopped changing for a moment
 * (a paused stream), and then the part that was highlighted stays coloured while new text
 * appends after it plain.
 */
import { useEffect, useState, type CSSProperties } from 'react';
import { useTranslations } from 'next-intl';
import { languageOf } from '@/lib/markdown/languages';
import { cachedHighlight, highlight, type Lines } from './highlight';

/** How long growing code must stay unchanged before it is highlighted. */
const SETTLE_MS = 400;

export function CodeBlock({
  code,
  info,
  final,
}: {
  code: string;
  /** The fence's language, as written (`ts`, `python`…). */
  info?: string;
  /** The block is complete: highlight now. */
  final: boolean;
}) {
  const language = languageOf(info);
  const [colored, setColored] = useState<{ code: string; lines: Lines } | null>(() => {
    const lines = language && cachedHighlight(code, language);
    return lines ? { code, lines } : null;
  });
  const upToDate = colored?.code === code;

  useEffect(() => {
    if (!language || upToDate) return;
    let live = true;
    const timer = setTimeout(
      () =>
        void highlight(code, language).then((lines) => {
          if (live && lines) setColored({ code, lines });
        }),
      final ? 0 : SETTLE_MS,
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [code, language, final, upToDate]);

  // Colour only while it matches: an earlier highlight of a prefix of the code still applies.
  const prefix = colored && code.startsWith(colored.code) ? colored : null;
  return (
    <div
      dir="ltr"
      className="not-prose my-5 overflow-hidden rounded-lg bg-zinc-900 text-sm text-zinc-100"
    >
      <div className="flex items-center justify-between border-b border-zinc-800 px-3 py-1 text-xs text-zinc-400">
        <span>{info}</span>
        <CopyCode code={code} />
      </div>
      <pre className="overflow-x-auto p-3 leading-relaxed">
        <code className={info ? `language-${info}` : undefined}>
          {prefix ? (
            <>
              {prefix.lines.map((line, i) => (
                <span key={i}>
                  {i > 0 && '\n'}
                  {line.map((t, j) => (
                    <span key={j} style={tokenStyle(t.color, t.fontStyle)}>
                      {t.content}
                    </span>
                  ))}
                </span>
              ))}
              {code.slice(prefix.code.length)}
            </>
          ) : (
            code
          )}
        </code>
      </pre>
    </div>
  );
}

function tokenStyle(color?: string, fontStyle = 0): CSSProperties {
  return {
    color,
    fontStyle: fontStyle & 1 ? 'italic' : undefined,
    fontWeight: fontStyle & 2 ? 'bold' : undefined,
    textDecoration: fontStyle & 4 ? 'underline' : fontStyle & 8 ? 'line-through' : undefined,
  };
}

function CopyCode({ code }: { code: string }) {
  const t = useTranslations();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className="rounded px-2 py-1 text-zinc-300 hover:bg-zinc-800 hover:text-white focus-visible:outline-2 focus-visible:outline-blue-500"
      onClick={() =>
        navigator.clipboard.writeText(code).then(
          () => setState('copied'),
          () => setState('failed'),
        )
      }
    >
      {state === 'copied'
        ? t('message.copied')
        : state === 'failed'
          ? t('message.copyFailed')
          : t('message.copyCode')}
    </button>
  );
}
