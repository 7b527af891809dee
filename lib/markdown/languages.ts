/**
 * The languages the code highlighter knows, by the names models write after a fence. Each one
 * is a separate chunk, loaded by the highlighter's worker the first time it is needed; a block
 * in any other language stays plain.
 */
export const LANGUAGE_ALIASES = {
  bash: ['bash', 'sh', 'shell', 'zsh', 'console', 'shellscript'],
  c: ['c', 'h'],
  cpp: ['cpp', 'c++', 'cc', 'hpp', 'cxx'],
  csharp: ['csharp', 'cs', 'c#'],
  css: ['css'],
  diff: ['diff', 'patch'],
  docker: ['dockerfile', 'docker'],
  go: ['go', 'golang'],
  html: ['html', 'htm', 'xhtml'],
  java: ['java'],
  javascript: ['javascript', 'js', 'mjs', 'cjs'],
  json: ['json', 'jsonc', 'json5'],
  jsx: ['jsx'],
  kotlin: ['kotlin', 'kt'],
  php: ['php'],
  python: ['python', 'py', 'python3'],
  ruby: ['ruby', 'rb'],
  rust: ['rust', 'rs'],
  sql: ['sql'],
  swift: ['swift'],
  toml: ['toml'],
  tsx: ['tsx'],
  typescript: ['typescript', 'ts', 'mts', 'cts'],
  xml: ['xml', 'svg'],
  yaml: ['yaml', 'yml'],
} as const;

export type Language = keyof typeof LANGUAGE_ALIASES;

const BY_ALIAS = new Map<string, Language>(
  Object.entries(LANGUAGE_ALIASES).flatMap(([name, aliases]) =>
    aliases.map((alias) => [alias, name as Language] as const),
  ),
);

/** The highlighter's name for a fence's language, if it has one. */
export const languageOf = (info: string | undefined): Language | undefined =>
  info ? BY_ALIAS.get(info.toLowerCase()) : undefined;
