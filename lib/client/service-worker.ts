/**
 * Registers the service worker (public/sw.js: the app shell for offline starts, never the API)
 * once the page has loaded, so it takes nothing from the first load, and hands it the static
 * files this page loaded before the worker controlled it (and again to a new build's worker
 * when it takes over). Production builds only: in
 * development a worker would keep serving chunks that change under the same name, so any left
 * from a production run on the same origin is removed.
 */
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const workers = navigator.serviceWorker;
  if (process.env.NODE_ENV !== 'production') {
    void workers.getRegistrations().then((all) => all.forEach((r) => void r.unregister()));
    return;
  }
  const handOver = (worker: ServiceWorker | null | undefined) => {
    const urls = performance
      .getEntriesByType('resource')
      .map((entry) => entry.name)
      .filter((url) => url.startsWith(`${location.origin}/_next/static/`));
    worker?.postMessage({ type: 'cache', urls });
  };
  const register = () => {
    workers.register('/sw.js').catch(() => {}); // no worker: the app works as before, online
    void workers.ready.then((registration) => handOver(registration.active));
    // A new build's worker took over while this page ran (it loaded its files through the old
    // worker, whose cache the new one deletes): it gets them too, or the next start offline
    // would find the page without its scripts.
    workers.addEventListener('controllerchange', () => handOver(workers.controller));
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
