'use client';
import { useState, type FormEvent } from 'react';
import { useTranslations } from 'next-intl';

/** Asks once for the access code; the server answers with an HTTP-only cookie. */
export function AccessGate() {
  const t = useTranslations();
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    const res = await fetch('/api/access', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code }),
    }).catch(() => null);
    setBusy(false);
    if (res?.ok) return location.reload();
    const body = (await res?.json().catch(() => null)) as {
      error?: { code?: string; message?: string };
    } | null;
    // The API's message is English: say it in the page's language by its code.
    const errorCode = body?.error?.code;
    setError(
      !res
        ? t('access.unreachable')
        : errorCode === 'unauthorized'
          ? t('access.wrong')
          : errorCode === 'rate_limited'
            ? t('access.tooMany')
            : (body?.error?.message ?? t('access.unreachable')),
    );
  };

  return (
    <main className="flex min-h-dvh items-center justify-center p-6">
      <form onSubmit={submit} className="w-full max-w-sm space-y-4" aria-label={t('access.form')}>
        <h1 className="text-xl font-semibold">StreamChat</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{t('access.intro')}</p>
        <label className="block space-y-1">
          <span className="text-sm font-medium">{t('access.code')}</span>
          <input
            type="password"
            autoComplete="current-password"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            className="field"
            autoFocus
            required
          />
        </label>
        {error && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            {error}
          </p>
        )}
        <button type="submit" className="btn-primary w-full" disabled={busy || !code}>
          {t('access.continue')}
        </button>
      </form>
    </main>
  );
}
