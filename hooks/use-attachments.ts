'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { classify, type Prepared } from '@/lib/client/attachments/kind';
import type { Text } from '@/lib/client/translate';

export interface AttachmentLimits {
  /** Images one message may carry (MAX_IMAGES_PER_MESSAGE). */
  maxImagesPerMessage: number;
  /** Images one request may carry, the whole branch counted (MAX_IMAGES). */
  maxImages: number;
  /** Bytes of one image after scaling (MAX_IMAGE_BYTES). */
  maxImageBytes: number;
}

export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = {
  maxImagesPerMessage: 4,
  maxImages: 10,
  maxImageBytes: 5 * 1024 * 1024,
};

/** A file under the message box: being read, then ready (with a preview URL for images). */
export interface Pending {
  key: string;
  name: string;
  size: number;
  image: boolean;
  ready?: Prepared;
  /** An object URL of the prepared image. */
  preview?: string;
}

/**
 * The files attached to the message being written: added by the picker, a paste or a drop;
 * refused at once (with the reason, for the person and screen readers) when they cannot be
 * sent; the preparing code loads on the first file.
 */
export function useAttachments(limits: AttachmentLimits, imagesInBranch: number) {
  const [pending, setPending] = useState<Pending[]>([]);
  /** Why files were not attached: said in the person's language by the message box. */
  const [refusals, setRefusals] = useState<Text[]>([]);
  const counter = useRef(0);
  const live = useRef(pending);
  useEffect(() => {
    live.current = pending;
  }, [pending]);

  // Previews go when the page does.
  useEffect(
    () => () => {
      for (const p of live.current) if (p.preview) URL.revokeObjectURL(p.preview);
    },
    [],
  );

  const add = useCallback(
    (files: readonly File[]) => {
      if (files.length === 0) return;
      const refused: Text[] = [];
      const accepted: { file: File; key: string; image: boolean }[] = [];
      let images = live.current.filter((p) => p.image).length;
      for (const file of files) {
        const kind = classify(file);
        if ('refused' in kind) {
          refused.push(kind.refused);
          continue;
        }
        if (kind.kind === 'image') {
          if (images >= limits.maxImagesPerMessage) {
            refused.push({
              key: 'attachments.tooManyInMessage',
              values: { name: file.name, max: limits.maxImagesPerMessage },
            });
            continue;
          }
          if (imagesInBranch + images >= limits.maxImages) {
            refused.push({
              key: 'attachments.tooManyInChat',
              values: { name: file.name, count: imagesInBranch, max: limits.maxImages },
            });
            continue;
          }
          images++;
        }
        accepted.push({ file, key: `a${++counter.current}`, image: kind.kind === 'image' });
      }
      setRefusals(refused);
      if (accepted.length === 0) return;
      setPending((list) => [
        ...list,
        ...accepted.map(({ file, key, image }) => ({
          key,
          name: file.name,
          size: file.size,
          image,
        })),
      ]);
      void import('@/lib/client/attachments/prepare').then(async ({ prepare }) => {
        for (const { file, key } of accepted) {
          const result = await prepare(file, limits).catch(() => ({
            refused: { key: 'attachments.unreadable', values: { name: file.name } },
          }));
          if ('refused' in result) {
            setRefusals((r) => [...r, result.refused]);
            setPending((list) => list.filter((p) => p.key !== key));
            continue;
          }
          const preview =
            result.attachment.kind === 'image' ? URL.createObjectURL(result.blob) : undefined;
          setPending((list) => {
            // Removed while it was read.
            if (!list.some((p) => p.key === key)) {
              if (preview) URL.revokeObjectURL(preview);
              return list;
            }
            return list.map((p) => (p.key === key ? { ...p, ready: result, preview } : p));
          });
        }
      });
    },
    [limits, imagesInBranch],
  );

  const remove = useCallback((key: string) => {
    setPending((list) => {
      const gone = list.find((p) => p.key === key);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
      return list.filter((p) => p.key !== key);
    });
  }, []);

  /** What is sent (all ready), and the list emptied. */
  const take = useCallback((): Prepared[] => {
    const ready = live.current.flatMap((p) => (p.ready ? [p.ready] : []));
    for (const p of live.current) if (p.preview) URL.revokeObjectURL(p.preview);
    setPending([]);
    setRefusals([]);
    return ready;
  }, []);

  const preparing = pending.some((p) => !p.ready);
  return { pending, refusals, preparing, add, remove, take };
}
