/**
 * Runs once when the server starts (Node.js only): tracks the connection under each request
 * (client addresses from the socket, closing stalled clients) and installs the graceful-shutdown
 * handler.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { trackConnections } = await import('@/lib/http/connections');
  trackConnections();
  const { installShutdown } = await import('@/lib/install-shutdown');
  installShutdown();
}
