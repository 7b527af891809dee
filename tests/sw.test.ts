/**
 * public/sw.js, the service worker, run in Node against fakes of its global scope and the Cache
 * API: it never answers for the API (event streams included), serves the page network-first
 * (the stored copy only when the network fails), hashed static files cache-first, and a new
 * build's worker deletes the caches of older builds.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const SOURCE = readFileSync('public/sw.js', 'utf8');
const ORIGIN = 'https://chat.example';
const CACHE = 'streamchat-shell-dev';

/** Caches by name, each a map from URL to response body text. */
let stores: Map<string, Map<string, string>>;
let handlers: Map<string, (event: unknown) => void>;
let network: (url: string) => Promise<Response>;
let claimed: boolean;

function cacheNamed(name: string) {
  let store = stores.get(name);
  if (!store) stores.set(name, (store = new Map()));
  const key = (r: Request | string) => new URL(typeof r === 'string' ? r : r.url, ORIGIN).href;
  return {
    async match(r: Request | string) {
      const body = store.get(key(r));
      return body === undefined ? undefined : new Response(body);
    },
    async put(r: Request | string, response: Response) {
      store.set(key(r), await response.text());
    },
    async add(r: string) {
      const response = await network(key(r));
      if (!response.ok) throw new TypeError('bad status');
      store.set(key(r), await response.text());
    },
  };
}

function load() {
  handlers = new Map();
  const self = {
    location: new URL(`${ORIGIN}/sw.js`),
    addEventListener: (type: string, handler: (event: unknown) => void) =>
      handlers.set(type, handler),
    skipWaiting: vi.fn(),
    clients: { claim: async () => void (claimed = true) },
    registration: { navigationPreload: { enable: vi.fn(async () => {}) } },
  };
  const caches = {
    open: async (name: string) => cacheNamed(name),
    keys: async () => [...stores.keys()],
    delete: async (name: string) => stores.delete(name),
  };
  const fetch = (r: Request | string) => network(typeof r === 'string' ? r : r.url);
  new Function('self', 'caches', 'fetch', SOURCE)(self, caches, fetch);
  return self;
}

/** Dispatches a fetch event; resolves with the response the worker gave, or null if none. */
async function dispatchFetch(
  path: string,
  init: { method?: string; mode?: 'navigate' | 'cors'; accept?: string } = {},
) {
  const request = {
    url: `${ORIGIN}${path}`,
    method: init.method ?? 'GET',
    mode: init.mode ?? 'cors',
    headers: new Headers(init.accept ? { accept: init.accept } : {}),
  };
  let answered: Promise<Response> | null = null;
  const pending: Promise<unknown>[] = [];
  handlers.get('fetch')!({
    request,
    preloadResponse: Promise.resolve(undefined),
    respondWith: (p: Promise<Response>) => (answered = p),
    waitUntil: (p: Promise<unknown>) => pending.push(p),
  });
  const response = answered ? await (answered as Promise<Response>) : null;
  await Promise.all(pending);
  return response;
}

async function lifecycle(type: 'install' | 'activate') {
  let done: Promise<unknown> = Promise.resolve();
  handlers.get(type)!({ waitUntil: (p: Promise<unknown>) => (done = p) });
  await done;
}

beforeEach(() => {
  stores = new Map();
  claimed = false;
  network = async (url) => new Response(`network ${new URL(url).pathname}`);
  load();
});

describe('service worker', () => {
  it('never answers for the API: event streams, posts and everything under /api/ go straight to the network', async () => {
    for (const [path, init] of [
      ['/api/chat/abc/stream', { accept: 'text/event-stream' }],
      ['/api/chat/abc/stream?lastEventId=4', { accept: 'text/event-stream' }],
      ['/api/models', {}],
      ['/api/chat', { method: 'POST' }],
      ['/api/chat/abc', { method: 'DELETE' }],
    ] as const) {
      expect(await dispatchFetch(path, init)).toBeNull();
    }
    expect(stores.get(CACHE)?.size ?? 0).toBe(0);
  });

  it('leaves what is not the shell alone: router requests, other pages, other origins', async () => {
    expect(await dispatchFetch('/?_rsc=1')).toBeNull();
    expect(await dispatchFetch('/icon.svg?x=1')).toBeNull();
    expect(await dispatchFetch('/elsewhere', { mode: 'navigate' })).toBeNull();
  });

  it('serves the page from the network when it can, and keeps a copy for offline starts', async () => {
    const online = await dispatchFetch('/', { mode: 'navigate' });
    expect(await online!.text()).toBe('network /');
    network = async () => {
      throw new TypeError('Failed to fetch');
    };
    const offline = await dispatchFetch('/', { mode: 'navigate' });
    expect(await offline!.text()).toBe('network /');
    // The newest page wins over an older copy.
    network = async () => new Response('new page');
    expect(await (await dispatchFetch('/', { mode: 'navigate' }))!.text()).toBe('new page');
    network = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await (await dispatchFetch('/', { mode: 'navigate' }))!.text()).toBe('new page');
  });

  it('serves hashed static files from the cache once fetched', async () => {
    const fetched = vi.fn(async (url: string) => new Response(`v1 ${new URL(url).pathname}`));
    network = fetched;
    const path = '/_next/static/chunks/app-abc123.js';
    expect(await (await dispatchFetch(path))!.text()).toBe(`v1 ${path}`);
    expect(await (await dispatchFetch(path))!.text()).toBe(`v1 ${path}`);
    expect(fetched).toHaveBeenCalledTimes(1);
  });

  it('installs at once with the page, manifest and icons, and caches what the page loaded before it', async () => {
    const self = load();
    await lifecycle('install');
    expect(self.skipWaiting).toHaveBeenCalled();
    expect([...stores.get(CACHE)!.keys()].map((u) => new URL(u).pathname).sort()).toEqual([
      '/',
      '/icon.svg',
      '/icons/icon-192.png',
      '/icons/icon-512.png',
      '/icons/maskable-512.png',
      '/manifest.webmanifest',
    ]);
    const pending: Promise<unknown>[] = [];
    handlers.get('message')!({
      data: {
        type: 'cache',
        urls: [`${ORIGIN}/_next/static/chunks/a.js`, `${ORIGIN}/api/models`, 'https://x.test/a.js'],
      },
      waitUntil: (p: Promise<unknown>) => pending.push(p),
    });
    await Promise.all(pending);
    expect(stores.get(CACHE)!.has(`${ORIGIN}/_next/static/chunks/a.js`)).toBe(true);
    expect(stores.get(CACHE)!.has(`${ORIGIN}/api/models`)).toBe(false);
    expect(stores.get(CACHE)!.size).toBe(7);
  });

  it("a new build's worker deletes older builds' caches and takes over open pages", async () => {
    stores.set('streamchat-shell-oldbuild', new Map([[`${ORIGIN}/`, 'old page']]));
    stores.set('someone-else', new Map());
    stores.set(CACHE, new Map());
    const self = load();
    await lifecycle('activate');
    expect([...stores.keys()].sort()).toEqual(['someone-else', CACHE]);
    expect(self.registration.navigationPreload.enable).toHaveBeenCalled();
    expect(claimed).toBe(true);
  });
});
