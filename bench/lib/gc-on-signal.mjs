// Preloaded (`node --expose-gc --import …`) into a server whose memory a figure measures: SIGUSR2
// runs a full garbage collection, so that RSS read just after shows what the server keeps rather
// than garbage not yet collected. Bench only; the server does not use SIGUSR2 otherwise.
process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') globalThis.gc();
});
