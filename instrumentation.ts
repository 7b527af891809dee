/**
 * Runs once when the server starts: installs the graceful-shutdown handler (Node.js only).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { installShutdown } = await import('@/lib/install-shutdown');
  installShutdown();
}
