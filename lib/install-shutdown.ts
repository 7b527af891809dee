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
    void drain(hub.local, getEnv().SHUTDOWN_GRACE_MS, say, (reply) => hub.handOver(reply))
      .then(() => hub.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
