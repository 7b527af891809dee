/** Chromium for the rendering and page-weight figures (the system one, as the tests use). */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath} (set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Runs in the page before its own scripts (plain JavaScript, so that no transpiler helper leaks
 * into it). It records
 * - long tasks (PerformanceObserver 'longtask': main-thread tasks over 50 ms);
 * - one entry per DOM update of the assistant's answer, with the main-thread work it took: every
 *   place where rendering can start (animation frames, MessageChannel tasks where React's
 *   scheduler renders, timers, EventSource and fetch-stream callbacks) records when its callback
 *   began, and the MutationObserver callback, a microtask after the DOM changed, takes the
 *   difference;
 * - when the chat composer became interactive (React attached its props to the textbox).
 */
export const PROBE = `(() => {
  const probe = { longTasks: [], updates: [], hydratedAt: null };
  window.__benchProbe = probe;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  let callbackStart = performance.now();
  const timed = (fn) => function (...args) { callbackStart = performance.now(); return fn.apply(this, args); };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => raf(timed(cb));
  const setTimer = window.setTimeout.bind(window);
  window.setTimeout = (cb, ms, ...rest) => setTimer(typeof cb === 'function' ? timed(cb) : cb, ms, ...rest);
  for (const proto of [MessagePort.prototype, EventSource.prototype]) {
    const d = Object.getOwnPropertyDescriptor(proto, 'onmessage');
    Object.defineProperty(proto, 'onmessage', { ...d, set(fn) { d.set.call(this, typeof fn === 'function' ? timed(fn) : fn); } });
  }
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, fn, opts) {
    if (typeof fn === 'function' && (this instanceof EventSource || this instanceof MessagePort || this instanceof BroadcastChannel)) {
      const wrapped = timed(fn);
      const map = (fn.__benchWrapped ??= new WeakMap());
      map.set(this, wrapped);
      return add.call(this, type, wrapped, opts);
    }
    return add.call(this, type, fn, opts);
  };
  const remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.removeEventListener = function (type, fn, opts) {
    const wrapped = fn && fn.__benchWrapped && fn.__benchWrapped.get(this);
    return remove.call(this, type, wrapped || fn, opts);
  };
  // Promise reactions of a fetch body reader run as microtasks of the network task: mark their start.
  const read = ReadableStreamDefaultReader.prototype.read;
  ReadableStreamDefaultReader.prototype.read = function () {
    return read.call(this).then((r) => { callbackStart = performance.now(); return r; });
  };
  const ANSWER = 'article[aria-label="Assistant"]';
  const start = () => {
    new MutationObserver((records) => {
      const now = performance.now();
      let inAnswer = false;
      for (const r of records) {
        const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
        if (el && el.closest(ANSWER)) { inAnswer = true; break; }
      }
      if (!inAnswer) return;
      const answers = document.querySelectorAll(ANSWER);
      const last = answers[answers.length - 1];
      const streaming = !!last && last.getAttribute('data-status') === 'streaming';
      probe.updates.push({ at: now, work: now - callbackStart, streaming });
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    const poll = () => {
      const box = document.querySelector('textarea[aria-label="Message"], [role="textbox"][aria-label="Message"]');
      if (box && Object.keys(box).some((k) => k.startsWith('__reactProps'))) {
        probe.hydratedAt = performance.now();
        return;
      }
      raf(poll);
    };
    raf(poll);
  };
  start();
})();`;

export interface Probe {
  longTasks: { start: number; duration: number }[];
  updates: { at: number; work: number; streaming: boolean }[];
  hydratedAt: number | null;
}

/** Opens `url` in a new page of `context` with the PROBE installed; resolves once hydrated. */
export async function openProbedPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript({ content: PROBE });
  await page.goto(url, { waitUntil: 'networkidle' });
  await page.waitForFunction(
    () => (window as unknown as { __benchProbe: Probe }).__benchProbe.hydratedAt !== null,
    undefined,
    { timeout: 30_000 },
  );
  return page;
}
