/**
 * The languages of the interface stay complete: every locale of i18n/locales.ts has its file,
 * every file has English's keys (no more, no fewer), every message parses, and each one uses the
 * same ICU arguments and tags as its English original. Keys named in the code exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { LOCALES, localeFromAcceptLanguage, resolveLocale } from '@/i18n/locales';
import { ERROR_CODES } from '@/lib/client/error-view';

const ROOT = join(import.meta.dirname, '..');
type Tree = { [key: string]: string | Tree };

function read(locale: string): Tree {
  return JSON.parse(readFileSync(join(ROOT, 'messages', `${locale}.json`), 'utf8')) as Tree;
}

/** Every message by its dotted key. */
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

/** The arguments (with their type) and tags a message uses, sorted: what a translation must keep. */
function placeholders(message: string): string[] {
  const found = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const e of elements) {
      if (e.type === TYPE.argument) found.add(`{${e.value}}`);
      else if (e.type === TYPE.number) found.add(`{${e.value}, number}`);
      else if (e.type === TYPE.date) found.add(`{${e.value}, date}`);
      else if (e.type === TYPE.time) found.add(`{${e.value}, time}`);
      else if (e.type === TYPE.plural) {
        found.add(`{${e.value}, plural}`);
        for (const option of Object.values(e.options)) walk(option.value);
      } else if (e.type === TYPE.select) {
        found.add(`{${e.value}, select}`);
        for (const option of Object.values(e.options)) walk(option.value);
      } else if (e.type === TYPE.tag) {
        found.add(`<${e.value}>`);
        walk(e.children);
      }
    }
  };
  walk(parse(message));
  return [...found].sort();
}

const english = flatten(read('en'));

describe('message files', () => {
  it('exist for every locale, and only for those', () => {
    const files = readdirSync(join(ROOT, 'messages'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
    expect(files).toEqual(LOCALES.map((l) => l.code).sort());
  });

  for (const { code } of LOCALES) {
    it(`${code}: has every key of English and no other`, () => {
      const keys = [...flatten(read(code)).keys()];
      const missing = [...english.keys()].filter((k) => !keys.includes(k));
      const extra = keys.filter((k) => !english.has(k));
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    });

    it(`${code}: every message parses, with the same arguments and tags as English`, () => {
      const differ: string[] = [];
      for (const [key, message] of flatten(read(code))) {
        const source = english.get(key);
        if (source === undefined) continue;
        const mine = placeholders(message).join(' ');
        const theirs = placeholders(source).join(' ');
        if (mine !== theirs) differ.push(`${key}: ${mine} ≠ English ${theirs}`);
      }
      expect(differ).toEqual([]);
    });
  }

  it('fails on a missing key or a changed placeholder (the checks above are real)', () => {
    expect(placeholders('Deleted “{title}”.')).toEqual(['{title}']);
    expect(placeholders('已删除“{name}”。')).not.toEqual(placeholders('Deleted “{title}”.'));
    expect(placeholders('{n, plural, one {# chat} other {# chats}} <b>{x}</b>')).toEqual([
      '<b>',
      '{n, plural}',
      '{x}',
    ]);
    expect(() => parse('Unclosed {name')).toThrow();
  });
});

/** Every string literal in the code that looks like a message key (`namespace.key`). */
function keysInCode(): Map<string, string> {
  const namespaces = [...new Set([...english.keys()].map((k) => k.split('.')[0]))].join('|');
  const literal = new RegExp(`['"\`]((?:${namespaces})\\.[A-Za-z0-9_.]+)['"\`]`, 'g');
  const found = new Map<string, string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) visit(path);
      else if (/\.tsx?$/.test(entry.name)) {
        for (const [, key] of readFileSync(join(ROOT, path), 'utf8').matchAll(literal)) {
          found.set(key!, path);
        }
      }
    }
  };
  for (const dir of ['app', 'components', 'hooks', 'lib/client']) visit(dir);
  return found;
}

describe('keys in the code', () => {
  it('exist in the English file', () => {
    const unknown = [...keysInCode()].filter(([key]) => !english.has(key));
    expect(unknown.map(([key, file]) => `${key} (${file})`)).toEqual([]);
    expect(keysInCode().size).toBeGreaterThan(100);
  });

  it('include a sentence for every error code the UI knows', () => {
    const missing = ERROR_CODES.filter((code) => !english.has(`errors.${code}`));
    expect(missing).toEqual([]);
  });
});

describe('choosing the locale', () => {
  it('follows Accept-Language: any Chinese gives zh-CN, anything else English', () => {
    expect(localeFromAcceptLanguage('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('zh-TW')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('ZH')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('en-US,en;q=0.9')).toBe('en');
    expect(localeFromAcceptLanguage('fr-FR,fr;q=0.9')).toBe('en');
    expect(localeFromAcceptLanguage('fr;q=0.9, zh;q=0.8, en;q=0.5')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('en;q=0.5, zh-CN')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('zh;q=0, en')).toBe('en');
    expect(localeFromAcceptLanguage('')).toBe('en');
    expect(localeFromAcceptLanguage(null)).toBe('en');
    expect(localeFromAcceptLanguage('*')).toBe('en');
  });

  it('lets the setting (a cookie naming a locale) win', () => {
    expect(resolveLocale('en', 'zh-CN')).toBe('en');
    expect(resolveLocale('zh-CN', 'en-US')).toBe('zh-CN');
    expect(resolveLocale('klingon', 'zh-CN')).toBe('zh-CN');
    expect(resolveLocale(undefined, 'en')).toBe('en');
  });
});
