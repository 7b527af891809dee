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

export default nextConfig;
