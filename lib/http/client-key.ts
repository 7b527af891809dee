/**
 * Who is asking, for rate limits: the client address as the proxy in front reports it
 * (X-Real-IP, else the first X-Forwarded-For entry). deploy/nginx.conf sets both from the
 * connection, replacing whatever the client sent; without such a proxy a client can choose them,
 * so expose the app through one when limits matter.
 */
export function clientKey(request: Request): string {
  const ip =
    request.headers.get('x-real-ip') ??
    request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() ??
    'unknown';
  return `ip:${ip}`;
}
