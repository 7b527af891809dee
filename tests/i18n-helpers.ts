/** Translators for unit tests of the pure modules, made from the real message files. */
import { createTranslator } from 'next-intl';
import en from '@/messages/en.json';
import zh from '@/messages/zh-CN.json';
import type { Translate } from '@/lib/client/translate';

const MESSAGES = { en, 'zh-CN': zh } as const;

/** Says keys as the page would in `locale`; a missing key or a bad value throws. */
export function translator(locale: keyof typeof MESSAGES = 'en'): Translate {
  const t = createTranslator({
    locale,
    messages: MESSAGES[locale] as Record<string, unknown>,
    onError: (error) => {
      throw error;
    },
  });
  return (key, values) => (t as unknown as Translate)(key, values);
}
