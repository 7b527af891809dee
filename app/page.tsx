import { cookies } from 'next/headers';
import { AccessGate } from '@/components/access-gate';
import { ChatApp } from '@/components/chat-app';
import { getEnv } from '@/lib/env';
import { ACCESS_COOKIE, cookieGrantsAccess } from '@/lib/http/access';

// Configuration is read at request time, so one build runs with any environment.
export const dynamic = 'force-dynamic';

export default async function Home() {
  const env = getEnv();
  const cookie = (await cookies()).get(ACCESS_COOKIE)?.value;
  if (!cookieGrantsAccess(cookie)) return <AccessGate />;
  return (
    <ChatApp
      demo={env.demo}
      limits={{
        maxMessageChars: env.MAX_MESSAGE_CHARS,
        attachments: {
          maxImagesPerMessage: env.MAX_IMAGES_PER_MESSAGE,
          maxImages: env.MAX_IMAGES,
          maxImageBytes: env.MAX_IMAGE_BYTES,
        },
      }}
    />
  );
}
