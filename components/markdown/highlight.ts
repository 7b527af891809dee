/**
 * The main thread's side of syntax highlighting: asks the worker, caches answers. Nothing here
 * is heavy; the worker (and Shiki with it) is only started when the first code block in a
 * known language is complete, so pages without code never load it.
 */
import type { Language } from '@/lib/markdown/languages';

export interface Token {
  content: string;
  color?: string;
  /** Shiki's flags: 1 italic, 2 bold, 4 underline, 8 strikethrough. */
  fontStyle?: number;
}
export type Lines = Token[][];
export interface HighlightRequest {
  id: number;
  code: string;
  language: Language;
}
export interface HighlightResponse {
  id: number;
  lines: Lines | null;
}

let worker: Worker | null = null;
let broken = false;
let nextId = 0;
const pending = new Map<number, (lines: Lines | null) => void>();
/** Recent results, so a block that mounts again (a re-rendered reply) shows colour at once. */
const cache = new Map<string, Lines>();
const CACHE_SIZE = 200;

function start(): Worker {
  const w = new Worker(new URL('./highlight.worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (e: MessageEvent<HighlightResponse>) => {
    pending.get(e.data.id)?.(e.data.lines);
    pending.delete(e.data.id);
  };
  w.onerror = () => {
    // Highlighting is a nicety: if the worker can't run, code stays plain.
    broken = true;
    for (const resolve of pending.values()) resolve(null);
    pending.clear();
  };
  return w;
}

export const cachedHighlight = (code: string, language: Language): Lines | undefined =>
  cache.get(`${language}\n${code}`);

export function highlight(code: string, language: Language): Promise<Lines | null> {
  const key = `${language}\n${code}`;
  const hit = cache.get(key);
  if (hit) return Promise.resolve(hit);
  if (broken) return Promise.resolve(null);
  worker ??= start();
  const id = nextId++;
  worker.postMessage({ id, code, language } satisfies HighlightRequest);
  return new Promise<Lines | null>((resolve) => pending.set(id, resolve)).then((lines) => {
    if (lines) {
      cache.set(key, lines);
      if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    return lines;
  });
}
