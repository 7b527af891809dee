/**
 * Syntax highlighting off the main thread: Shiki with its JavaScript regex engine (no WASM),
 * one theme, and each grammar imported the first time a block needs it. Compiling a grammar
 * can take tens of milliseconds; here that never delays a frame of the streaming reply.
 */
import { createHighlighterCore, type LanguageRegistration } from 'shiki/core';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';
import type { Language } from '@/lib/markdown/languages';
import type { HighlightRequest, HighlightResponse } from './highlight';

type Grammar = () => Promise<{ default: LanguageRegistration[] }>;

// Literal imports, so that the bundler makes one chunk per grammar.
const GRAMMARS: Record<Language, Grammar> = {
  bash: () => import('shiki/langs/bash.mjs'),
  c: () => import('shiki/langs/c.mjs'),
  cpp: () => import('shiki/langs/cpp.mjs'),
  csharp: () => import('shiki/langs/csharp.mjs'),
  css: () => import('shiki/langs/css.mjs'),
  diff: () => import('shiki/langs/diff.mjs'),
  docker: () => import('shiki/langs/docker.mjs'),
  go: () => import('shiki/langs/go.mjs'),
  html: () => import('shiki/langs/html.mjs'),
  java: () => import('shiki/langs/java.mjs'),
  javascript: () => import('shiki/langs/javascript.mjs'),
  json: () => import('shiki/langs/json.mjs'),
  jsx: () => import('shiki/langs/jsx.mjs'),
  kotlin: () => import('shiki/langs/kotlin.mjs'),
  php: () => import('shiki/langs/php.mjs'),
  python: () => import('shiki/langs/python.mjs'),
  ruby: () => import('shiki/langs/ruby.mjs'),
  rust: () => import('shiki/langs/rust.mjs'),
  sql: () => import('shiki/langs/sql.mjs'),
  swift: () => import('shiki/langs/swift.mjs'),
  toml: () => import('shiki/langs/toml.mjs'),
  tsx: () => import('shiki/langs/tsx.mjs'),
  typescript: () => import('shiki/langs/typescript.mjs'),
  xml: () => import('shiki/langs/xml.mjs'),
  yaml: () => import('shiki/langs/yaml.mjs'),
};

const THEME = 'github-dark';
const highlighter = createHighlighterCore({
  themes: [import('shiki/themes/github-dark.mjs')],
  langs: [],
  // Forgiving: a pattern the engine can't translate matches nothing instead of failing the block.
  engine: createJavaScriptRegexEngine({ forgiving: true }),
});
/** The Shiki name of each grammar once loaded (the main language comes last). */
const loaded = new Map<Language, Promise<string>>();

function load(language: Language): Promise<string> {
  let name = loaded.get(language);
  if (!name) {
    name = Promise.all([highlighter, GRAMMARS[language]()]).then(async ([h, grammar]) => {
      await h.loadLanguage(grammar.default);
      return grammar.default.at(-1)!.name;
    });
    loaded.set(language, name);
  }
  return name;
}

self.onmessage = async (e: MessageEvent<HighlightRequest>) => {
  const { id, code, language } = e.data;
  let reply: HighlightResponse;
  try {
    const [h, lang] = await Promise.all([highlighter, load(language)]);
    const { tokens } = h.codeToTokens(code, { lang, theme: THEME });
    reply = {
      id,
      lines: tokens.map((line) =>
        line.map(({ content, color, fontStyle }) => ({ content, color, fontStyle })),
      ),
    };
  } catch {
    reply = { id, lines: null };
  }
  self.postMessage(reply);
};
