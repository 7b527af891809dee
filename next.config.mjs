import createNextIntlPlugin from 'next-intl/plugin';

/**
 * next-intl: i18n/request.ts picks the locale of each request; the messages in messages/ are
 * compiled at build time, so the page ships a small formatter instead of an ICU parser.
 */
const withNextIntl = createNextIntlPlugin({
  requestConfig: './i18n/request.ts',
  experimental: {
    messages: { path: './messages', format: 'json', locales: 'infer', precompile: true },
  },
});

/** @type {import('next').NextConfig} */
const nextConfig = {
  // `node .next/standalone/server.js` runs without node_modules (Docker, bare VMs).
  output: 'standalone',
  poweredByHeader: false,
  // Compression buffers event streams; Next skips it for text/event-stream, nginx is told the same.
  compress: true,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ];
  },
};

export default withNextIntl(nextConfig);
