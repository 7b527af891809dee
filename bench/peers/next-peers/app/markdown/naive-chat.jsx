'use client';
/**
 * The plain way to render a streamed answer: keep the whole text in state, append each token as
 * it arrives, and let react-markdown re-parse and re-render all of it on every update.
 * `window.__benchMarkdown.parsedChars` counts the characters handed to the parser.
 */
import { useState } from 'react';
import Markdown from 'react-markdown';
import remarkGfm from 'remark-gfm';

/** A remark plugin that counts the characters of every text react-markdown parses. */
function countParsed() {
  return (_tree, file) => {
    const stats = (window.__benchMarkdown ??= { parsedChars: 0, parses: 0 });
    stats.parsedChars += String(file.value).length;
    stats.parses += 1;
  };
}

const remarkPlugins = [remarkGfm, countParsed];

function Answer({ text }) {
  return <Markdown remarkPlugins={remarkPlugins}>{text}</Markdown>;
}

export function NaiveChat() {
  const [input, setInput] = useState('');
  const [text, setText] = useState('');
  const [status, setStatus] = useState('idle');

  async function send(event) {
    event.preventDefault();
    setText('');
    setStatus('streaming');
    const res = await fetch('/api/naive', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: input }] }),
    });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.startsWith('data: ') ? frame.slice(6) : '';
        if (data && data !== '[DONE]') {
          const { content } = JSON.parse(data);
          setText((t) => t + content);
        }
      }
    }
    setStatus('done');
  }

  return (
    <main style={{ maxWidth: 760, margin: '0 auto', fontFamily: 'sans-serif' }}>
      {status !== 'idle' && (
        <article aria-label="Assistant" data-status={status}>
          <Answer text={text} />
        </article>
      )}
      <form onSubmit={send}>
        <textarea aria-label="Message" value={input} onChange={(e) => setInput(e.target.value)} />
        <button type="submit">Send</button>
      </form>
    </main>
  );
}
