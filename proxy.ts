/**
 * Pages only. A Content-Security-Policy with a fresh nonce for every page: scripts run only from this origin
 * or with the nonce (Next.js adds it to its own scripts; the layout to the theme script), so
 * nothing a model writes can run even if it reached the DOM. API routes and static files are not
 * pages and skip this. Styles allow inline attributes: syntax highlighting and math use them.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { checkHost } from '@/lib/http/access';
import { ApiError } from '@/lib/http/api-error';

export function proxy(request: NextRequest) {
  // Pages for a host this deployment does not serve (ALLOWED_HOSTS) are refused, as the API is.
  try {
    checkHost(request);
  } catch (error) {
    if (error instanceof ApiError) return error.toResponse();
    throw error;
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const dev = process.env.NODE_ENV === 'development';
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    // Images only from here, blob: and data: (attachments): nothing a model writes, and nothing
    // injected, can make the browser fetch a remote image (a way to send data out).
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    // The service worker (public/sw.js) and the code workers (highlighting, PDF text) are files
    // of this origin, as is the web app manifest.
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('Content-Security-Policy', csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

export const config = {
  matcher: [
    {
      source:
        '/((?!api/|_next/static|_next/image|favicon.ico|icon.svg|apple-icon.png|icons/|manifest.webmanifest|sw.js).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
