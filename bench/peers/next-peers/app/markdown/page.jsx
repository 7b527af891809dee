import { NaiveChat } from './naive-chat';

export const metadata = { title: 'react-markdown, whole text per update' };

export default function MarkdownPage() {
  return <NaiveChat />;
}
