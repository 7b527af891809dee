import 'server-only';
/**
 * Who is asking, for rate limits and the access-code guessing limit: the client's address.
 *
 * It comes from the socket (lib/http/connections.ts). `X-Forwarded-For` / `X-Real-IP` count only
 * when the socket's peer is a proxy named by `TRUST_PROXY`: a number of proxy hops in front of
 * the app, or a list of addresses and CIDR ranges (`loopback`, `10.0.0.0/8`, …) that may set
 * them. Without it, a client that sends those headers only names itself. On Vercel the
 * platform sets the forwarding headers itself (replacing what the client sent), so they are used.
 */
import proxyaddr from 'proxy-addr';
import { getEnv } from '@/lib/env';
import { peerAddress } from '@/lib/http/connections';

type Trust = (address: string, hop: number) => boolean;

const trustNobody: Trust = () => false;

/** TRUST_PROXY as a trust function: a hop count, or addresses and ranges. Throws when invalid. */
export function compileTrust(value: string | undefined): Trust {
  const text = value?.trim();
  if (!text || text === 'false' || text === '0') return trustNobody;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return (_address, hop) => hop < hops;
  }
  return proxyaddr.compile(text.split(',').map((s) => s.trim()));
}

let cached: { value: string | undefined; trust: Trust } | undefined;

function trustProxy(): Trust {
  const value = getEnv().TRUST_PROXY;
  if (!cached || cached.value !== value) cached = { value, trust: compileTrust(value) };
  return cached.trust;
}

const first = (header: string | null): string | undefined =>
  header?.split(',')[0]?.trim() || undefined;

/** Whether the forwarding headers of this request were set by a proxy we trust. */
export function fromTrustedProxy(request: Request): boolean {
  if (process.env.VERCEL) return true;
  const peer = peerAddress(request);
  return peer !== undefined && trustProxy()(peer, 0);
}

/** The client's address, as far as this server can know it ("unknown" where it cannot). */
export function clientAddress(request: Request): string {
  const headers = request.headers;
  if (process.env.VERCEL) {
    return (
      first(headers.get('x-vercel-forwarded-for')) ??
      first(headers.get('x-real-ip')) ??
      first(headers.get('x-forwarded-for')) ??
      'unknown'
    );
  }
  const peer = peerAddress(request);
  if (peer === undefined) return 'unknown';
  const trust = trustProxy();
  if (!trust(peer, 0)) return peer;
  const forwardedFor = headers.get('x-forwarded-for');
  if (forwardedFor) {
    const fake = { headers: { 'x-forwarded-for': forwardedFor }, socket: { remoteAddress: peer } };
    return proxyaddr(fake as unknown as Parameters<typeof proxyaddr>[0], trust);
  }
  return first(headers.get('x-real-ip')) ?? peer;
}

export function clientKey(request: Request): string {
  return `ip:${clientAddress(request)}`;
}
