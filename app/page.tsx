import { Chat } from '@/components/chat';
import { getEnv } from '@/lib/env';

// Configuration is read at request time, so one build runs with any environment.
export const dynamic = 'force-dynamic';

export default function Home() {
  const env = getEnv();
  return <Chat demo={env.demo} model={env.defaultModel} />;
}
