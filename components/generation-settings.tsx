'use client';
import { useId } from 'react';
import { useTranslations } from 'next-intl';
import type { GenerationParams } from '@/lib/client/types';

const EFFORTS = ['minimal', 'low', 'medium', 'high'] as const;

/** A number typed in a field, or undefined when it is empty or not a number. */
function parsed(value: string): number | undefined {
  if (value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * How the chat's model answers: temperature, the longest answer and reasoning effort, each left
 * to the model when empty. Kept with the chat and sent with each of its replies (API `params`).
 */
export function GenerationSettings({
  params,
  onChange,
}: {
  params: GenerationParams;
  onChange: (params: GenerationParams) => void;
}) {
  const t = useTranslations();
  const id = useId();
  const set = (patch: GenerationParams) => {
    const next: GenerationParams = { ...params, ...patch };
    for (const key of Object.keys(next) as (keyof GenerationParams)[]) {
      if (next[key] === undefined) delete next[key];
    }
    onChange(next);
  };
  const temperature = params.temperature;
  const maxTokens = params.maxTokens;
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium">{t('generation.legend')}</legend>
      <div className="flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col gap-1" htmlFor={`${id}-t`}>
          <span>{t('generation.temperature')}</span>
          <input
            id={`${id}-t`}
            type="number"
            inputMode="decimal"
            min={0}
            max={2}
            step={0.1}
            placeholder={t('generation.modelDefault')}
            aria-describedby={`${id}-help`}
            className="field w-36"
            value={temperature ?? ''}
            onChange={(e) => {
              const n = parsed(e.target.value);
              set({ temperature: n === undefined ? undefined : Math.min(2, Math.max(0, n)) });
            }}
          />
        </label>
        <label className="flex flex-col gap-1" htmlFor={`${id}-m`}>
          <span>{t('generation.maxTokens')}</span>
          <input
            id={`${id}-m`}
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            placeholder={t('generation.modelDefault')}
            className="field w-44"
            value={maxTokens ?? ''}
            onChange={(e) => {
              const n = parsed(e.target.value);
              set({ maxTokens: n === undefined || n < 1 ? undefined : Math.round(n) });
            }}
          />
        </label>
        <label className="flex flex-col gap-1" htmlFor={`${id}-r`}>
          <span>{t('generation.effort')}</span>
          <select
            id={`${id}-r`}
            className="field w-40"
            value={params.reasoningEffort ?? ''}
            onChange={(e) =>
              set({
                reasoningEffort: (e.target.value ||
                  undefined) as GenerationParams['reasoningEffort'],
              })
            }
          >
            <option value="">{t('generation.modelDefault')}</option>
            {EFFORTS.map((effort) => (
              <option key={effort} value={effort}>
                {t(`generation.${effort}`)}
              </option>
            ))}
          </select>
        </label>
        {Object.keys(params).length > 0 && (
          <button type="button" className="btn-ghost" onClick={() => onChange({})}>
            {t('generation.reset')}
          </button>
        )}
      </div>
      <p id={`${id}-help`} className="text-xs text-zinc-600 dark:text-zinc-400">
        {t('generation.help')}
      </p>
    </fieldset>
  );
}
