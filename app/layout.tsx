import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import { NextIntlClientProvider } from 'next-intl';
import { getLocale, getMessages, getTranslations } from 'next-intl/server';
import { THEME_SCRIPT } from '@/lib/theme-script';
import './globals.css';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('app');
  return {
    title: 'StreamChat',
    description: t('description'),
    // Installed on iOS (Add to Home Screen): a standalone window under this name. The manifest
    // (app/manifest.ts) says the same to other browsers.
    appleWebApp: { capable: true, title: 'StreamChat' },
  };
}

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
  // The language of this request (i18n/request.ts): the setting's cookie, else the browser's.
  const [locale, messages] = await Promise.all([getLocale(), getMessages()]);
  return (
    // The theme script sets a class before hydration; React must not undo it.
    <html lang={locale} suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="bg-white text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        {/* Only this language's messages go to the browser. */}
        <NextIntlClientProvider locale={locale} messages={messages}>
          {children}
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
