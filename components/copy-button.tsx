'use client';
import { useState } from 'react';
import { useTranslations } from 'next-intl';
import { CopyIcon } from '@/components/icons';

/** Copies `text`; says "Copied" for a moment (also to screen readers, via the name). */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const t = useTranslations();
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn-ghost"
      aria-label={copied ? t('message.copied') : (label ?? t('message.copy'))}
      onClick={() => {
        void navigator.clipboard.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      <CopyIcon />
      <span className="sr-only sm:not-sr-only">
        {copied ? t('message.copied') : t('message.copy')}
      </span>
    </button>
  );
}
