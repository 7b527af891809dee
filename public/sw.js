/*
 * The service worker: the app opens offline, with the conversations stored in this browser
 * (IndexedDB), and can be installed. It keeps the app shell only — the page, its hashed static
 * files (/_next/static/), the manifest and icons — in one cache per build.
 *
 * - API requests (/api/*, which includes every event stream) are never handled: no respondWith,
 *   so they go to the network exactly as without a worker, unbuffered and uncached. Where the
 *   browser has static routing (Chromium), they do not even start the worker.
 * - The page is network-first: online, every load gets the current page (a new build takes
 *   effect at the next load); the stored copy is used only when the network fails.
 * - Hashed static files are cache-first: their names change with their content.
 * - A new build (VERSION, the build id written by scripts/postbuild.mjs) installs at once
 *   (skipWaiting), takes over open pages (clients.claim) and deletes the caches of older builds.
 */
const VERSION = 'dev';
const CACHE = `streamchat-shell-${VERSION}`;
const PAGE = '/';
/** Fixed files of the shell, besides the page and /_next/static/. */
const FILES = [
  '/manifest.webmanifest',
  '/icon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/maskable-512.png',
];

const isApi = (url) => url.pathname.startsWith('/api/');
const isStatic = (url) =>
  url.origin === self.location.origin &&
  (url.pathname.startsWith('/_next/static/') || (FILES.includes(url.pathname) && !url.search));

self.addEventListener('install', (event) => {
  self.skipWaiting();
  event.waitUntil(
    Promise.all([
      caches
        .open(CACHE)
        .then((cache) =>
          Promise.all([PAGE, ...FILES].map((url) => cache.add(url).catch(() => {}))),
        ),
      bypassApi(event),
    ]),
  );
});

/** Chromium's static routing: API requests go to the network without starting this worker. */
function bypassApi(event) {
  if (typeof event.addRoutes !== 'function' || typeof URLPattern !== 'function') return null;
  try {
    return Promise.resolve(
      event.addRoutes({
        condition: { urlPattern: new URLPattern({ pathname: '/api/*' }) },
        source: 'network',
      }),
    ).catch(() => {});
  } catch {
    return null; // the fetch handler leaves them alone anyway
  }
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith('streamchat-') && name !== CACHE)
          .map((name) => caches.delete(name)),
      );
      // The page request starts while this worker boots, instead of after it.
      await self.registration.navigationPreload?.enable().catch(() => {});
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || isApi(url)) return;
  if (request.mode === 'navigate') {
    if (url.pathname === PAGE) event.respondWith(page(event));
    return;
  }
  if (isStatic(url)) event.respondWith(cacheFirst(event));
});

/** Network first; the stored page only when the network fails (offline). */
async function page(event) {
  const cache = await caches.open(CACHE);
  try {
    const response = (await event.preloadResponse) ?? (await fetch(event.request));
    // Stored whole in the background: waiting for it would hold the streamed page back.
    if (response.ok) event.waitUntil(cache.put(PAGE, response.clone()).catch(() => {}));
    return response;
  } catch (error) {
    const stored = await cache.match(PAGE, { ignoreVary: true });
    if (stored) return stored;
    throw error;
  }
}

async function cacheFirst(event) {
  const cache = await caches.open(CACHE);
  const stored = await cache.match(event.request, { ignoreVary: true });
  if (stored) return stored;
  const response = await fetch(event.request);
  if (response.ok) event.waitUntil(cache.put(event.request, response.clone()).catch(() => {}));
  return response;
}

// The page sends the static files it loaded before this worker controlled it (its first load,
// and chunks loaded on use), so that they are there offline too.
self.addEventListener('message', (event) => {
  const { type, urls } = event.data ?? {};
  if (type !== 'cache' || !Array.isArray(urls)) return;
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(
        urls
          .map((href) => new URL(String(href), self.location.origin))
          .filter(isStatic)
          .map(async (url) => {
            if (!(await cache.match(url.href, { ignoreVary: true }))) await cache.add(url.href);
          })
          .map((p) => p.catch(() => {})),
      ),
    ),
  );
});
