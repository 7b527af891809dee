/**
 * An OpenAI-compatible chat completions server: the built-in demo model, and the upstream that
 * the tests and benchmarks drive. It speaks the real wire format over HTTP (`/v1/models`,
 * `/v1/chat/completions` with and without `stream`, `stream_options.include_usage`), so the app
 * talks to it through the real `openai` SDK exactly as it talks to OpenAI, Ollama or vLLM.
 *
 * With `faults` on, directives in the last user message switch behaviours, e.g.
 * `[[status:429]] [[retry-after:2]]`, `[[cut:5]]` (drop the connection after 5 tokens),
 * `[[error-mid:3]]`, `[[malformed:3]]`, `[[no-done]]`, `[[hang:2]]` (stop sending after 2 tokens),
 * `[[first-byte:5000]]`, `[[split-utf8]]`, `[[tokens:2000]]`, `[[delay:0]]`, `[[echo]]`,
 * `[[reasoning]]`, `[[reasoning-field]]`, `[[length]]`, `[[tag:name]]`, `[[fail-first:2]]` (with a
 * tag: the first two requests with that tag get a 503). `GET /_stats` lists
 * requests (tag, tokens sent, whether the client closed early) so tests can see the upstream.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoAnswer, longAnswer, tokenize } from './content';

export interface SimulatorOptions {
  /** Delay between tokens, in ms. */
  tokenDelayMs?: number;
  /** Delay before the first token, in ms. */
  firstTokenDelayMs?: number;
  /** Honour fault directives in messages. Off for the demo model. */
  faults?: boolean;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  models?: string[];
}

export interface RequestRecord {
  n: number;
  tag: string | undefined;
  model: string;
  startedAt: number;
  endedAt: number | undefined;
  /** The client closed the connection before the response was complete. */
  clientClosed: boolean;
  tokensSent: number;
  status: number;
  authorized: boolean;
}

interface Directives {
  [name: string]: string | undefined;
}

type ChatMessage = { role: string; content: unknown };

const DIRECTIVE = /\[\[([a-z0-9-]+)(?::([^\]]*))?\]\]/g;
/** `[[echo]] [[delay:0]] text` echoes exactly `text`. */
const DIRECTIVE_AND_SPACE = /\[\[[a-z0-9-]+(?::[^\]]*)?\]\] ?/g;

function parseDirectives(text: string): Directives {
  const out: Directives = {};
  for (const m of text.matchAll(DIRECTIVE)) out[m[1]!] = m[2] ?? '';
  return out;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (p && typeof p === 'object' && 'text' in p ? String(p.text) : ''))
      .join('');
  }
  return '';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

const ERROR_TYPES: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'Bad request'],
  401: ['invalid_request_error', 'Incorrect API key provided'],
  403: ['permission_denied', 'You are not allowed to use this model'],
  404: ['invalid_request_error', 'The model does not exist'],
  429: ['rate_limit_exceeded', 'Rate limit reached'],
  500: ['server_error', 'The server had an error'],
  502: ['server_error', 'Bad gateway'],
  503: ['server_error', 'The engine is currently overloaded'],
};

export function createSimulator(options: SimulatorOptions = {}) {
  const tokenDelay = options.tokenDelayMs ?? 25;
  const firstDelay = options.firstTokenDelayMs ?? 150;
  const models = options.models ?? ['demo'];
  const records: RequestRecord[] = [];
  const failuresByTag = new Map<string, number>();
  let counter = 0;

  async function readJson(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > 16 * 1024 * 1024) throw new Error('body too large');
      chunks.push(chunk);
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  }

  async function chat(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const auth = req.headers.authorization ?? '';
    const record: RequestRecord = {
      n: ++counter,
      tag: undefined,
      model: '',
      startedAt: Date.now(),
      endedAt: undefined,
      clientClosed: false,
      tokensSent: 0,
      status: 200,
      authorized: options.apiKey ? auth === `Bearer ${options.apiKey}` : true,
    };
    records.push(record);
    if (records.length > 5000) records.splice(0, records.length - 5000);
    res.on('close', () => {
      record.endedAt = Date.now();
      if (!res.writableFinished) record.clientClosed = true;
    });

    let body: {
      model?: string;
      messages?: ChatMessage[];
      stream?: boolean;
      stream_options?: { include_usage?: boolean };
    };
    try {
      body = (await readJson(req)) as typeof body;
    } catch {
      record.status = 400;
      return sendJson(res, 400, {
        error: { message: 'Invalid JSON body', type: 'invalid_request_error' },
      });
    }
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const last = [...messages].reverse().find((m) => m.role === 'user');
    const question = textOf(last?.content);
    const d: Directives = options.faults ? parseDirectives(question) : {};
    record.tag = d.tag;
    record.model = String(body.model ?? '');

    if (!record.authorized) {
      record.status = 401;
      return sendJson(res, 401, {
        error: {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
    }
    if (d['first-byte']) await sleep(Number(d['first-byte']));
    if (res.destroyed) return;

    let status = Number(d.status ?? (models.includes(record.model) || options.faults ? 200 : 404));
    // `[[fail-first:N]]` with a tag: the first N requests with that tag get a 503.
    if (d['fail-first'] !== undefined && d.tag !== undefined) {
      const failed = failuresByTag.get(d.tag) ?? 0;
      if (failed < Number(d['fail-first'])) {
        failuresByTag.set(d.tag, failed + 1);
        status = 503;
      }
    }
    if (status !== 200) {
      record.status = status;
      const [type, message] = ERROR_TYPES[status] ?? ['server_error', 'Error'];
      const headers: Record<string, string> = {};
      if (d['retry-after'] !== undefined) headers['retry-after'] = d['retry-after'];
      return sendJson(res, status, { error: { message, type, code: null } }, headers);
    }

    const tokens =
      d.tokens !== undefined
        ? longAnswer(Number(d.tokens))
        : d.echo !== undefined
          ? tokenize(question.replace(DIRECTIVE_AND_SPACE, ''))
          : tokenize(
              options.faults
                ? `Reply to: ${question.replace(DIRECTIVE, '').trim()}`
                : demoAnswer(question),
            );
    const delay = d.delay !== undefined ? Number(d.delay) : tokenDelay;
    const id = `chatcmpl-sim${record.n}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: object, finish: string | null = null, extra: object = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: record.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
    const finish = d.length !== undefined ? 'length' : 'stop';
    const usage = {
      prompt_tokens: tokenize(messages.map((m) => textOf(m.content)).join(' ')).length,
      completion_tokens: tokens.length,
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;

    if (!body.stream) {
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: record.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: tokens.join('') },
            finish_reason: finish,
          },
        ],
        usage,
      });
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const splitUtf8 = d['split-utf8'] !== undefined;
    const write = async (text: string) => {
      if (res.destroyed) return false;
      if (!splitUtf8) {
        if (!res.write(text)) await new Promise((r) => res.once('drain', r));
        return !res.destroyed;
      }
      // Network reads that end inside a multi-byte character: 1..3-byte slices.
      const bytes = Buffer.from(text, 'utf8');
      for (let i = 0; i < bytes.length;) {
        const n = 1 + (i % 3);
        res.write(bytes.subarray(i, i + n));
        i += n;
        await sleep(0);
      }
      return !res.destroyed;
    };

    if (!(await write(chunk({ role: 'assistant', content: '' })))) return;
    if (d.reasoning !== undefined || d['reasoning-field'] !== undefined) {
      const field = d.reasoning !== undefined ? 'reasoning_content' : 'reasoning';
      for (const piece of tokenize('Let me think about this step by step.')) {
        await sleep(delay);
        if (!(await write(chunk({ [field]: piece })))) return;
      }
    }
    await sleep(firstDelay);
    for (let i = 0; i < tokens.length; i++) {
      if (d.cut !== undefined && i === Number(d.cut)) {
        // Let what was written reach the client, then cut the connection mid-body.
        await new Promise<void>((r) => res.write('', () => r()));
        res.socket?.destroy();
        return;
      }
      if (d['error-mid'] !== undefined && i === Number(d['error-mid'])) {
        await write(
          `data: ${JSON.stringify({ error: { message: 'The model had an internal error', type: 'server_error', code: null } })}\n\n`,
        );
        res.end();
        return;
      }
      if (d.malformed !== undefined && i === Number(d.malformed)) {
        await write('data: {"id": "oops", "choices": [\n\n');
        res.end();
        return;
      }
      if (d.hang !== undefined && i === Number(d.hang)) return; // keeps the connection open, silent
      if (i > 0 && delay > 0) await sleep(delay);
      if (!(await write(chunk({ content: tokens[i] })))) return;
      record.tokensSent++;
    }
    if (d['no-done'] !== undefined) {
      res.end();
      return;
    }
    if (!(await write(chunk({}, finish)))) return;
    if (body.stream_options?.include_usage) {
      if (
        !(await write(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: record.model, choices: [], usage })}\n\n`,
        ))
      )
        return;
    }
    await write('data: [DONE]\n\n');
    res.end();
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/v1/chat/completions') {
      chat(req, res).catch(() => res.destroy());
    } else if (req.method === 'GET' && url.pathname === '/v1/models') {
      sendJson(res, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'simulator' })),
      });
    } else if (req.method === 'GET' && url.pathname === '/_stats') {
      sendJson(res, 200, { requests: records });
    } else if (req.method === 'GET' && url.pathname === '/health') {
      sendJson(res, 200, { ok: true });
    } else {
      sendJson(res, 404, { error: { message: 'Not found', type: 'invalid_request_error' } });
    }
  });
  server.keepAliveTimeout = 60_000;

  return {
    server,
    records,
    async listen(port = 0, host = '127.0.0.1'): Promise<string> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      return `http://${host}:${address.port}/v1`;
    },
    close(): Promise<void> {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
