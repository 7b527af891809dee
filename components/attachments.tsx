'use client';
import { useEffect, useRef, useState } from 'react';
import { useTranslations } from 'next-intl';
import { getBlob } from '@/lib/client/attachments/files-db';
import { formatSize } from '@/lib/client/attachments/kind';
import type { Attachment } from '@/lib/client/types';
import type { Pending } from '@/hooks/use-attachments';
import { CloseIcon, FileIcon } from '@/components/icons';

/** An object URL of a stored attachment's bytes (undefined while read, or when they are gone). */
function useFileUrl(id: string): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    let made: string | undefined;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Another tab's message can arrive a moment before its files are written: ask a few times.
    const read = (tries: number) =>
      void getBlob(id).then((blob) => {
        if (!live) return;
        if (!blob) {
          if (tries > 0) timer = setTimeout(() => read(tries - 1), 500);
          return;
        }
        made = URL.createObjectURL(blob);
        setUrl(made);
      });
    read(4);
    return () => {
      live = false;
      clearTimeout(timer);
      if (made) URL.revokeObjectURL(made);
    };
  }, [id]);
  return url;
}

const chip =
  'flex min-w-0 items-center gap-2 rounded-lg border border-zinc-300 bg-white px-2 py-1 text-sm text-zinc-800 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200';

/** The files under the message box before sending: each with its name, size and Remove. */
export function PendingAttachments({
  pending,
  onRemove,
}: {
  pending: Pending[];
  onRemove: (key: string) => void;
}) {
  const t = useTranslations();
  if (pending.length === 0) return null;
  return (
    <ul aria-label={t('attachments.list')} className="flex flex-wrap gap-2 px-1 pb-2">
      {pending.map((p) => (
        <li key={p.key} className={chip} aria-busy={!p.ready || undefined}>
          {p.preview ? (
            // eslint-disable-next-line @next/next/no-img-element -- a blob: URL, nothing to optimise
            <img src={p.preview} alt="" className="size-10 shrink-0 rounded object-cover" />
          ) : (
            <span className="grid size-10 shrink-0 place-items-center rounded bg-zinc-100 dark:bg-zinc-800">
              <FileIcon />
            </span>
          )}
          <span className="flex min-w-0 flex-col leading-tight">
            <span className="max-w-40 truncate" dir="auto">
              {p.name}
            </span>
            <span className="text-xs text-zinc-600 dark:text-zinc-400">
              {p.ready ? formatSize(p.ready.attachment.size) : t('attachments.preparing')}
            </span>
          </span>
          <button
            type="button"
            aria-label={t('attachments.remove', { name: p.name })}
            className="rounded p-1 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:hover:bg-zinc-800"
            onClick={() => onRemove(p.key)}
          >
            <CloseIcon />
          </button>
        </li>
      ))}
    </ul>
  );
}

function ImageAttachment({ attachment }: { attachment: Attachment }) {
  const t = useTranslations();
  const url = useFileUrl(attachment.id);
  const dialog = useRef<HTMLDialogElement>(null);
  if (!url) {
    return (
      <li className={chip}>
        <FileIcon />
        <span className="truncate">{t('attachments.unavailable', { name: attachment.name })}</span>
      </li>
    );
  }
  return (
    <li>
      <button
        type="button"
        aria-label={t('attachments.open', { name: attachment.name })}
        className="block overflow-hidden rounded-xl focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
        onClick={() => dialog.current?.showModal()}
      >
        {/* eslint-disable-next-line @next/next/no-img-element -- a blob: URL, nothing to optimise */}
        <img
          src={url}
          alt={attachment.name}
          width={attachment.width}
          height={attachment.height}
          className="h-32 w-auto max-w-60 object-cover"
        />
      </button>
      <dialog
        ref={dialog}
        aria-label={attachment.name}
        className="m-auto max-h-[95dvh] max-w-[95vw] bg-transparent p-0 backdrop:bg-black/80"
        onClick={(e) => e.target === e.currentTarget && dialog.current?.close()}
      >
        <div className="relative">
          {/* eslint-disable-next-line @next/next/no-img-element -- a blob: URL */}
          <img
            src={url}
            alt={attachment.name}
            className="max-h-[90dvh] max-w-[95vw] rounded-lg object-contain"
          />
          <button
            type="button"
            aria-label={t('attachments.close')}
            autoFocus
            className="absolute top-2 right-2 rounded-full bg-black/60 p-2 text-white hover:bg-black/80 focus-visible:outline-2 focus-visible:outline-white"
            onClick={() => dialog.current?.close()}
          >
            <CloseIcon />
          </button>
        </div>
      </dialog>
    </li>
  );
}

/** What a sent message carries: images (open larger on click) and files by name. */
export function MessageAttachments({ attachments }: { attachments: Attachment[] }) {
  const t = useTranslations();
  return (
    <ul
      aria-label={t('attachments.list')}
      className="mb-1 flex flex-wrap items-end justify-end gap-2"
    >
      {attachments.map((a) =>
        a.kind === 'image' ? (
          <ImageAttachment key={a.id} attachment={a} />
        ) : (
          <li key={a.id} className={chip}>
            <FileIcon />
            <span className="max-w-48 truncate" dir="auto">
              {a.name}
            </span>
            <span className="text-xs text-zinc-600 dark:text-zinc-400">{formatSize(a.size)}</span>
          </li>
        ),
      )}
    </ul>
  );
}
