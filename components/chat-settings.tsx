'use client';
import { useTranslations } from 'next-intl';
import { useChat } from '@/hooks/use-chat';
import { toJson, toMarkdown } from '@/lib/client/store';
import type { Conversation } from '@/lib/client/types';
import { GenerationSettings } from '@/components/generation-settings';
import { LanguageSetting } from '@/components/language-setting';

function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function fileName(c: Conversation, ext: string) {
  const base =
    c.title
      .replace(/[^\w\- ]+/g, '')
      .trim()
      .replace(/\s+/g, '-')
      .slice(0, 50) || 'chat';
  return `${base}.${ext}`;
}

/**
 * Settings of the open chat (or of the chat about to start): its system prompt, the prompt new
 * chats start with, how the model answers, and export; and the language of the interface.
 * Loaded the first time Settings is opened.
 */
export default function ChatSettings() {
  const t = useTranslations();
  const { active, actions, draftSystemPrompt, draftParams, defaultSystemPrompt } = useChat();
  const prompt = active ? active.systemPrompt : draftSystemPrompt;
  const isDefault = prompt.trim() !== '' && prompt === defaultSystemPrompt;
  return (
    <section
      aria-label={t('settings.label')}
      className="border-b border-zinc-200 bg-zinc-50 py-3 dark:border-zinc-800 dark:bg-zinc-900/50"
    >
      <div className="mx-auto max-w-3xl space-y-2 px-4">
        <label className="block text-sm font-medium" htmlFor="system-prompt">
          {t('settings.systemPrompt')}
        </label>
        <textarea
          id="system-prompt"
          dir="auto"
          className="field min-h-20"
          placeholder={t('settings.systemPromptPlaceholder')}
          aria-describedby="system-prompt-help"
          value={prompt}
          onChange={(e) => actions.setSystemPrompt(active?.id ?? null, e.target.value)}
        />
        <p id="system-prompt-help" className="text-xs text-zinc-600 dark:text-zinc-400">
          {active ? t('settings.appliesNext') : t('settings.appliesFirst')}{' '}
          {defaultSystemPrompt ? t('settings.defaultSet') : t('settings.defaultNone')}
        </p>
        <div className="flex flex-wrap gap-2">
          <button
            type="button"
            className="btn-ghost border border-zinc-300 dark:border-zinc-700"
            disabled={!prompt.trim() || isDefault}
            onClick={() => actions.setDefaultSystemPrompt(prompt)}
          >
            {isDefault ? t('settings.isDefault') : t('settings.useForNew')}
          </button>
          {defaultSystemPrompt && (
            <button
              type="button"
              className="btn-ghost border border-zinc-300 dark:border-zinc-700"
              onClick={() => actions.setDefaultSystemPrompt('')}
            >
              {t('settings.clearDefault')}
            </button>
          )}
          {active && (
            <>
              <button
                type="button"
                className="btn-ghost border border-zinc-300 dark:border-zinc-700"
                onClick={() =>
                  download(fileName(active, 'md'), 'text/markdown', toMarkdown(active))
                }
              >
                {t('settings.exportMarkdown')}
              </button>
              <button
                type="button"
                className="btn-ghost border border-zinc-300 dark:border-zinc-700"
                onClick={() =>
                  void toJson([active]).then((json) =>
                    download(fileName(active, 'json'), 'application/json', json),
                  )
                }
              >
                {t('settings.exportJson')}
              </button>
            </>
          )}
        </div>
        <GenerationSettings
          params={active ? (active.params ?? {}) : draftParams}
          onChange={(params) => actions.setParams(active?.id ?? null, params)}
        />
        <LanguageSetting />
      </div>
    </section>
  );
}
