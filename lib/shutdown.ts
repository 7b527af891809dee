import 'server-only';
/**
 * Graceful shutdown. On SIGTERM the server stops taking new replies (POST answers 503), lets the
 * running ones finish for up to SHUTDOWN_GRACE_MS, then hands the rest over to another instance
 * (with Redis: another instance carries them on, so a rolling deploy cuts no reply), and ends
 * those it cannot hand over with an `error` event (`server_restarting`, retryable: the UI offers
 * Continue) and `close`, and exits.
 *
 * Next.js exits at once on SIGTERM unless NEXT_MANUAL_SIG_HANDLE is set; `npm start` sets it,
 * and the README says to set it wherever the server is started another way.
 */
import type { Reply, ReplyStore } from '@/lib/streams/reply-store';

const drainingKey = Symbol.for('streamchat.draining');
type Holder = { [drainingKey]?: boolean };

export function isDraining(): boolean {
  return (globalThis as Holder)[drainingKey] === true;
}

export async function drain(
  store: ReplyStore,
  graceMs: number,
  log: (message: string, fields?: Record<string, unknown>) => void,
  handOver: (reply: Reply) => Promise<boolean> = async () => false,
): Promise<void> {
  (globalThis as Holder)[drainingKey] = true;
  const until = Date.now() + graceMs;
  log('shutting down: waiting for running replies', { running: store.running().length, graceMs });
  while (store.running().length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const left = store.running();
  const given = await Promise.all(left.map((reply) => handOver(reply).catch(() => false)));
  const cut = left.filter((reply, i) => !given[i] && !reply.done);
  for (const reply of cut) store.end(reply, 'shutdown');
  // Let followers write the final events before the process goes.
  await new Promise((r) => setTimeout(r, 300));
  log('shut down', { handedOver: given.filter(Boolean).length, cut: cut.length });
}
