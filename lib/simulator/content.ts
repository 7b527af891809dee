/**
 * What the demo model says. Deterministic: the same question gets the same answer, so a person
 * trying the app and a test asserting on it see the same thing.
 */

export function demoAnswer(question: string, attachments = ''): string {
  // The question without the text of attached files (their names are in `attachments`).
  const asked = question
    .replace(/--- File: (.+) ---\n[\s\S]*?\n--- End of \1 ---/g, '')
    .trim()
    .replace(/\s+/g, ' ');
  const quoted = asked.length > 80 ? `${asked.slice(0, 77)}…` : asked;
  return `Hello! I'm the **built-in demo model** of this chat app. I'm not a real language model: I stream a fixed answer at a realistic pace so you can try the app without an API key.${attachments ? `\n\nI received ${attachments}.` : ''}${quoted ? `\n\nYou asked: *"${quoted.replace(/[*_`"]/g, '')}"*. A real model would answer that; here is how to connect one.` : ''}

## Connect a real model

1. Get an API key from your provider, or run a local OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio).
2. Set the environment variables and restart the app:
   - \`OPENAI_API_KEY\` — your key (it stays on the server).
   - \`OPENAI_BASE_URL\` — only for servers other than OpenAI.
   - \`OPENAI_MODEL\` — the model to use by default.
3. Reload this page and ask again.

| Server | \`OPENAI_BASE_URL\` | Key needed |
| --- | --- | --- |
| OpenAI | *(leave unset)* | yes |
| Ollama | \`http://localhost:11434/v1\` | no |
| vLLM | \`http://localhost:8000/v1\` | optional |
| LM Studio | \`http://localhost:1234/v1\` | no |

For example, with Ollama:

\`\`\`bash
ollama pull llama3.2
OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2 npm start
\`\`\`

Replies stream over Server-Sent Events and survive reloads and dropped connections — try reloading while I type. Multi-byte text streams fine too: café, 東京, 🚀✨.`;
}

/** Splits text into token-sized pieces (a word and the spaces after it), as models stream. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

/** A long mixed-markdown answer of about `count` tokens, for load and rendering tests. */
export function longAnswer(count: number): string[] {
  const blocks = [
    'Streaming markdown keeps its **shape** while it grows, with `inline code` and [a link](https://example.com).\n\n',
    '- first point\n- second point with *emphasis*\n- third point\n\n',
    '| a | b | c |\n| --- | --- | --- |\n| 1 | 2 | 3 |\n| 4 | 5 | 6 |\n\n',
    '```ts\nconst answer: number = 42;\nconsole.log(answer);\n```\n\n',
    '1. ordered one\n2. ordered two\n\n',
    '> A quotation, with some ünïcödé and 漢字 and 🚀.\n\n',
  ];
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    for (const piece of tokenize(blocks[i % blocks.length]!)) {
      if (out.length >= count) break;
      out.push(piece);
    }
  }
  return out;
}
