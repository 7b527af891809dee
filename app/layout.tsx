import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import { THEME_SCRIPT } from '@/lib/theme-script';
import './globals.css';

export const metadata: Metadata = {
  title: 'StreamChat',
  description: 'Chat with a language model and watch the answer stream in.',
  // Installed on iOS (Add to Home Screen): a standalone window under this name. The manifest
  // (app/manifest.ts) says the same to other browsers.
  appleWebApp: { capable: true, title: 'StreamChat' },
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#09090b' },
  ],
};

export default async function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  // The Content-Security-Policy nonce from proxy.ts: the inline theme script needs it to run.
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    // The theme script sets a class before hydration; React must not undo it.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="bg-white text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        {children}
      </body>
    </html>
  );
}
