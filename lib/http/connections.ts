import 'server-only';
/**
 * The connection under a request. A route handler sees a web `Request`: no socket, so neither
 * the peer's address nor a way to close a connection whose client stopped reading. Node
 * announces every request on the `http.server.request.start` diagnostics channel before any
 * handler runs; there each request gets a private header with a number that leads back here.
 * The header is set, not appended: whatever a client sent under that name is replaced.
 *
 * Where no Node server announces requests (Vercel's runtime), nothing is tracked: `peerAddress`
 * is undefined and `dropConnection` returns false.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export const CONNECTION_HEADER = 'x-streamchat-connection';

interface Tracked {
  response: ServerResponse;
  peer: string | undefined;
  encrypted: boolean;
}

interface Registry {
  installed: boolean;
  next: number;
  open: Map<string, Tracked>;
}

// On globalThis: instrumentation and each route bundle load their own copy of this module.
const registryKey = Symbol.for('streamchat.connections');

function registry(): Registry {
  const holder = globalThis as { [registryKey]?: Registry };
  holder[registryKey] ??= { installed: false, next: 0, open: new Map() };
  return holder[registryKey];
}

/** Starts tracking (once per process; instrumentation.ts calls it at start). */
export function trackConnections(): void {
  const r = registry();
  if (r.installed) return;
  r.installed = true;
  subscribe('http.server.request.start', (message) => {
    const { request, response, socket } = message as {
      request: IncomingMessage;
      response: ServerResponse;
      socket: Socket & { encrypted?: boolean };
    };
    const id = String(++r.next);
    request.headers[CONNECTION_HEADER] = id;
    r.open.set(id, { response, peer: socket.remoteAddress, encrypted: !!socket.encrypted });
    response.once('close', () => r.open.delete(id));
  });
}

function tracked(request: Request): Tracked | undefined {
  const id = request.headers.get(CONNECTION_HEADER);
  return id === null ? undefined : registry().open.get(id);
}

/** The address of the peer on the other end of the socket (a client, or a proxy). */
export function peerAddress(request: Request): string | undefined {
  return tracked(request)?.peer;
}

/** Whether the request came over TLS to this server itself (undefined when unknown). */
export function arrivedEncrypted(request: Request): boolean | undefined {
  return tracked(request)?.encrypted;
}

/**
 * Closes the connection a request came on, with a reset: what the kernel still holds for a
 * client that stopped reading is freed at once, not after the orphan retries. False when the
 * connection is not known here.
 */
export function dropConnection(request: Request): boolean {
  const t = tracked(request);
  if (!t) return false;
  const socket = t.response.socket;
  if (socket && !socket.destroyed) socket.resetAndDestroy();
  else t.response.destroy();
  return true;
}
