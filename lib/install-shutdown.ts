import 'server-only';
import { getEnv } from '@/lib/env';
import { getHub } from '@/lib/chat/service';
import { drain } from '@/lib/shutdown';
import { log } from '@/lib/log';

let installed = false;

/** SIGTERM/SIGINT → drain, then exit. Only when Next leaves the signals to us. */
export function installShutdown(): void {
  if (installed || !process.env.NEXT_MANUAL_SIG_HANDLE) return;
  installed = true;
  let exiting = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (exiting) return;
    exiting = true;
    const hub = getHub();
    const say = (m: string, f?: Record<string, unknown>) => log.info(m, { signal, ...f });
    // No hub.close() before exiting: requests still arriving (a load balancer that has not yet
    // noticed) would meet a closed Redis connection and get a 500, which makes EventSource give
    // up for good. Exiting with the connection open drops them instead: the proxy retries them
    // on another instance, and a browser reconnects. Everything was written by the hand-overs.
    void drain(hub.local, getEnv().SHUTDOWN_GRACE_MS, say, (reply) => hub.handOver(reply)).finally(
      () => process.exit(0),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
