/**
 * Runs once when the server starts (Node.js only): tracks the connection under each request
 * (client addresses from the socket, closing stalled clients), installs the graceful-shutdown
 * handler, and opens the Redis connection when there is one.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { trackConnections } = await import('@/lib/http/connections');
  trackConnections();
  const { installShutdown } = await import('@/lib/install-shutdown');
  installShutdown();
  // With REDIS_URL, connect now rather than on the first request (requests that arrive while it
  // connects wait for it, briefly: see readyHub).
  if (process.env.REDIS_URL && process.env.NEXT_PHASE !== 'phase-production-build') {
    const { getHub } = await import('@/lib/chat/service');
    getHub();
  }
}
