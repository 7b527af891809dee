// GET /manifest.webmanifest — what installing the app (Add to Home Screen) needs
import type { MetadataRoute } from 'next';

export default function manifest(): MetadataRoute.Manifest {
  return {
    id: '/',
    name: 'StreamChat',
    short_name: 'StreamChat',
    description: 'Chat with a language model and watch the answer stream in.',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    // The page's own colours per scheme are the layout's theme-color metas; these are the splash
    // screen's (light), before the page has loaded.
    background_color: '#ffffff',
    theme_color: '#ffffff',
    icons: [
      { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' },
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      {
        src: '/icons/maskable-512.png',
        sizes: '512x512',
        type: 'image/png',
        purpose: 'maskable',
      },
    ],
  };
}
