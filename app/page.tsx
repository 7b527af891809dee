import { ChatApp } from '@/components/chat-app';
import { getEnv } from '@/lib/env';

// Configuration is read at request time, so one build runs with any environment.
export const dynamic = 'force-dynamic';

export default function Home() {
  return <ChatApp demo={getEnv().demo} />;
}
