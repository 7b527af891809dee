/**
 * An OpenAI-compatible server: the built-in demo model, and the upstream that the tests and
 * benchmarks drive. It speaks the real wire formats over HTTP (`/v1/models`,
 * `/v1/chat/completions` with and without `stream`, `stream_options.include_usage`, and
 * `/v1/responses` with its event sequence, see dialects.ts), so the app talks to it through the
 * real `openai` SDK exactly as it talks to OpenAI, Ollama or vLLM. Both APIs answer the same way
 * and take the same directives; each writes them in its own form (on Responses, `[[length]]` is
 * `response.incomplete`, `[[error-mid]]` `response.failed`, `[[reasoning]]` reasoning summary
 * deltas and `[[reasoning-field]]` raw reasoning text, `[[no-done]]` ends without a terminal
 * event, `[[bad-types:finish]]` gives an incomplete reason that is an object, and the other
 * `[[bad-types]]` put their values where Responses carries text and usage).
 *
 * With `faults` on, directives in the last user message switch behaviours:
 * - `[[status:N]]` answers N with an OpenAI-style JSON error; `[[retry-after:S]]` adds the header.
 * - `[[fail-first:N]]` with a `[[tag:name]]`: the first N requests with that tag get a 503.
 * - `[[first-byte:MS]]` waits MS before the response headers (gives up if the client leaves).
 * - `[[cut:N]]` drops the connection after N tokens; `[[hang:N]]` goes silent after N tokens.
 * - `[[error-mid:N]]` sends an error object after N tokens; `[[malformed:N]]` a chunk that is not
 *   JSON; `[[no-done]]` ends the body without a finish reason or `[DONE]`.
 * - `[[split-utf8]]` cuts network writes inside multi-byte characters; `[[tokens:N]]` a long
 *   answer; `[[delay:MS]]` the pace; `[[echo]]` says back the message; `[[length]]` finishes with
 *   `length`; `[[reasoning]]` / `[[reasoning-field]]` stream reasoning first
 *   (`reasoning_content` / `reasoning`).
 * Hostile peers (every endless body waits for 'drain' and stops when the client closes, so the
 * simulator itself stays small whatever the client does):
 * - `[[no-newline]]`: a 200 event stream whose body never has a line break (`data: xxxx…`).
 * - `[[trickle:MS]]`: one normal token, then one byte every MS ms of an event that never ends.
 * - `[[gzip-bomb]]`: `content-encoding: gzip` (not asked for), the gzip of endless zero bytes
 *   (about 1000:1: 4 MB on the wire inflate to 4 GB); `[[gzip-bomb:events]]` inflates (about
 *   400:1) to endless valid events that carry nothing (`data: {"choices":[]}`).
 * - `[[error-body:BYTES]]`: the status of `[[status:N]]` (default 500), a JSON content type and a
 *   chunked body of BYTES bytes (`{"error":{"message":"xxx…"}}`), written as the client reads.
 * - `[[bad-types:content]]`: delta `content` first a string (the first token, "Reply"), then
 *   the number 123, then the object `{"a":1}`, then a normal finish;
 *   `[[bad-types:usage]]`: usage `{prompt_tokens:"12", completion_tokens:{x:1}, total_tokens:null}`
 *   (sent whether asked for or not); `[[bad-types:finish]]`: `finish_reason` `{"r":"stop"}`;
 *   `[[bad-types:reasoning]]`: a delta with `reasoning_content: 42`.
 * - `[[redirect]]` / `[[redirect:307]]`: a 302 (or the given 3xx) to
 *   `http://127.0.0.1:9/v1/chat/completions`, empty body.
 * - `[[refuse-images]]`: a model that cannot see. A request with any `image_url` part gets the
 *   400 OpenAI answers for it (IMAGE_REFUSAL, its real body); one without images is answered.
 * A request whose last message is the Continue prompt (CONTINUE_PROMPT) takes its directives
 * from the user message before it and goes on with the rest of that answer after the assistant
 * text it carries, so that both parts together are exactly the answer.
 * A request's generation settings are honoured as far as they show: a maximum of output tokens
 * shorter than the answer cuts it there and finishes with `length`.
 * `GET /v1/models` lists `models`, with a `context_length` and vision `capabilities` where the
 * options give them (as LM Studio and Ollama-compatible servers report them).
 * `GET /_stats` lists requests, one record per request (so each retry is its own record): tag,
 * status, tokens and body bytes sent, whether the client closed early, whether it continued, and
 * each message's role, text, files and images (media type, bytes, and the pixel size of a PNG,
 * JPEG, WebP or GIF data URL), the API it came through and its generation settings (`params`).
 */
import http from 'node:http';
import { CONTINUE_PROMPT } from '../chat/protocol';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { demoAnswer, longAnswer, tokenize } from './content';
import { imageDimensions } from './image-dimensions';
import {
  attachmentSummary,
  describeImage,
  fileNames,
  type ReceivedImage,
} from '../chat/attachments';
import {
  chatWire,
  messagesOf,
  receivedParams,
  responsesObject,
  responsesWire,
  type Api,
  type ChatMessage,
  type ReceivedParams,
} from './dialects';

export interface SimulatorOptions {
  /** Delay between tokens, in ms. */
  tokenDelayMs?: number;
  /** Delay before the first token, in ms. */
  firstTokenDelayMs?: number;
  /** Honour fault directives in messages. Off for the demo model. */
  faults?: boolean;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** What `GET /v1/models` lists (and, without faults, the models it answers). */
  models?: string[];
  /** Context windows reported in the model list (`context_length`, as LM Studio and others). */
  contextLengths?: Record<string, number>;
  /** Models reported as seeing images (`capabilities: ["completion", "vision"]`, as Ollama). */
  visionModels?: string[];
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
  /** Response body bytes handed to the socket (compressed bytes for `gzip-bomb`). */
  bytesSent: number;
  status: number;
  authorized: boolean;
  /** The request asked to continue an answer (its last message is the Continue prompt). */
  continuation: boolean;
  /** The assistant text the request carried last (what a continuation continues). */
  lastAssistant: string | undefined;
  /** The system message the request carried, if any. */
  system: string | undefined;
  /** The conversation it carried, as role and text, with what each message attached. */
  messages: { role: string; content: string; images: ReceivedImage[]; files: string[] }[];
  /** The API the request came through. */
  api: Api;
  /** Its generation settings, from the API's own fields, named as in POST /api/chat. */
  params: ReceivedParams;
}

interface Directives {
  [name: string]: string | undefined;
}

const DIRECTIVE = /\[\[([a-z0-9-]+)(?::([^\]]*))?\]\]/g;
/** `[[echo]] [[delay:0]] text` echoes exactly `text`. */
const DIRECTIVE_AND_SPACE = /\[\[[a-z0-9-]+(?::[^\]]*)?\]\] ?/g;

function parseDirectives(text: string): Directives {
  const out: Directives = {};
  for (const m of text.matchAll(DIRECTIVE)) out[m[1]!] = m[2] ?? '';
  return out;
}

/** The images of a message's content parts, described with their pixel size (never fetched). */
function imagesIn(content: unknown): ReceivedImage[] {
  if (!Array.isArray(content)) return [];
  return content
    .filter((p) => p && typeof p === 'object' && p.type === 'image_url')
    .map((p: { image_url?: { url?: unknown } }) => {
      const url = String(p.image_url?.url ?? '');
      return { ...describeImage(url), ...imageDimensions(url) };
    });
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

/** The tokens of `answer` after the text `done` (all of them when it is not a prefix). */
function restAfter(answer: string[], done: string): string[] {
  let text = '';
  for (let i = 0; i < answer.length; i++) {
    if (text === done) return answer.slice(i);
    text += answer[i];
    if (!done.startsWith(text)) break;
  }
  const full = answer.join('');
  return full.startsWith(done) ? tokenize(full.slice(done.length)) : answer;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits `ms`, or less if the client closes the connection meanwhile. */
function pause(res: http.ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

/** Resolves on `event` of `emitter`, or when the response closes, whichever comes first. */
function until(
  emitter: NodeJS.EventEmitter,
  event: string,
  res: http.ServerResponse,
): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    const done = () => {
      emitter.off(event, done);
      res.off('close', done);
      resolve();
    };
    emitter.once(event, done);
    res.once('close', done);
  });
}

/**
 * Writes `data` to the body, waiting for 'drain' when the socket is backed up (or until the
 * client closes). False once the client has gone.
 */
async function send(
  res: http.ServerResponse,
  record: RequestRecord,
  data: string | Buffer,
): Promise<boolean> {
  if (res.destroyed) return false;
  record.bytesSent += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (!res.write(data)) await until(res, 'drain', res);
  return !res.destroyed;
}

/** Where `[[redirect]]` points: the discard port, nothing listens there. */
const REDIRECT_TARGET = 'http://127.0.0.1:9/v1/chat/completions';
const X_BLOCK = Buffer.alloc(64 * 1024, 'x');
const ZERO_BLOCK = Buffer.alloc(1024 * 1024);
const EMPTY_EVENT = 'data: {"choices":[]}\n\n';
const EMPTY_EVENTS_BLOCK = Buffer.from(
  EMPTY_EVENT.repeat(Math.ceil((1024 * 1024) / EMPTY_EVENT.length)),
);
const EVENT_STREAM = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

/** `[[error-body:BYTES]]`: a JSON error body of exactly `size` bytes, written as it drains. */
async function sendErrorBody(
  res: http.ServerResponse,
  record: RequestRecord,
  status: number,
  size: number,
): Promise<void> {
  record.status = status;
  // No content-length: chunked, so the client cannot know the size in advance.
  res.writeHead(status, { 'content-type': 'application/json' });
  const head = Buffer.from('{"error":{"message":"');
  const tail = Buffer.from('","type":"server_error","code":null}}');
  if (size <= head.length + tail.length) {
    if (!(await send(res, record, Buffer.concat([head, tail]).subarray(0, size)))) return;
  } else {
    if (!(await send(res, record, head))) return;
    for (let left = size - head.length - tail.length; left > 0; left -= X_BLOCK.length) {
      if (!(await send(res, record, X_BLOCK.subarray(0, Math.min(left, X_BLOCK.length))))) {
        return;
      }
    }
    if (!(await send(res, record, tail))) return;
  }
  res.end();
}

/** `[[no-newline]]`: `data: ` then 'x' forever, never a line break. */
async function sendNoNewline(res: http.ServerResponse, record: RequestRecord): Promise<void> {
  res.writeHead(200, EVENT_STREAM);
  if (!(await send(res, record, 'data: '))) return;
  while (await send(res, record, X_BLOCK)) {
    // A client that reads faster than we write never makes write() return false: yield anyway.
    await new Promise((r) => setImmediate(r));
  }
}

/** `[[gzip-bomb]]`: gzip of endless zeros (or of endless empty events), made as it drains. */
async function sendGzipBomb(
  res: http.ServerResponse,
  record: RequestRecord,
  events: boolean,
): Promise<void> {
  res.writeHead(200, { ...EVENT_STREAM, 'content-encoding': 'gzip' });
  // Run-length matching does zeros at the same 1028:1 as level 9, three times faster.
  const gzip = zlib.createGzip({
    level: zlib.constants.Z_BEST_COMPRESSION,
    strategy: events ? zlib.constants.Z_DEFAULT_STRATEGY : zlib.constants.Z_RLE,
  });
  gzip.on('data', (bytes: Buffer) => (record.bytesSent += bytes.length));
  gzip.on('error', () => res.destroy());
  res.once('close', () => gzip.destroy());
  gzip.pipe(res);
  const block = events ? EMPTY_EVENTS_BLOCK : ZERO_BLOCK;
  while (!res.destroyed && !gzip.destroyed) {
    if (!gzip.write(block)) await until(gzip, 'drain', res);
    else await new Promise((r) => setImmediate(r));
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** `[[refuse-images]]`: what OpenAI answers when a model that cannot see is sent an image. */
const IMAGE_REFUSAL = {
  error: {
    message: 'Invalid content type. image_url is only supported by certain models.',
    type: 'invalid_request_error',
    param: 'messages.[0].content.[1].type',
    code: null,
  },
};

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

  async function chat(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    api: Api,
  ): Promise<void> {
    const auth = req.headers.authorization ?? '';
    const record: RequestRecord = {
      n: ++counter,
      tag: undefined,
      model: '',
      startedAt: Date.now(),
      endedAt: undefined,
      clientClosed: false,
      tokensSent: 0,
      bytesSent: 0,
      status: 200,
      authorized: options.apiKey ? auth === `Bearer ${options.apiKey}` : true,
      continuation: false,
      lastAssistant: undefined,
      system: undefined,
      messages: [],
      api,
      params: {},
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
      /** Responses */
      input?: unknown;
      instructions?: unknown;
    };
    try {
      body = (await readJson(req)) as typeof body;
    } catch {
      record.status = 400;
      return sendJson(res, 400, {
        error: { message: 'Invalid JSON body', type: 'invalid_request_error' },
      });
    }
    const messages = messagesOf(body, api);
    const users = messages.filter((m) => m.role === 'user');
    record.continuation = textOf(users.at(-1)?.content) === CONTINUE_PROMPT;
    record.lastAssistant = textOf(messages.findLast((m) => m.role === 'assistant')?.content);
    record.system = textOf(messages.find((m) => m.role === 'system')?.content);
    record.messages = messages.map((m) => ({
      role: String(m.role),
      content: textOf(m.content),
      images: imagesIn(m.content),
      files: fileNames(textOf(m.content)),
    }));
    // A continuation answers the question before it, with the same directives (pace, tag), so
    // that an answer continued by another instance goes on like the first part.
    const question = textOf((record.continuation ? users.at(-2) : users.at(-1))?.content);
    const asked = record.messages
      .filter((m) => m.role === 'user')
      .at(record.continuation ? -2 : -1);
    const d: Directives = options.faults ? parseDirectives(question) : {};
    record.tag = d.tag;
    record.model = String(body.model ?? '');
    record.params = receivedParams(body, record.api);

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
    if (d['first-byte']) await pause(res, Number(d['first-byte']));
    if (res.destroyed) return;

    if (d.redirect !== undefined) {
      const code = Number(d.redirect || 302);
      record.status = code >= 300 && code < 400 ? code : 302;
      res.writeHead(record.status, { location: REDIRECT_TARGET, 'content-length': 0 });
      res.end();
      return;
    }

    if (d['refuse-images'] !== undefined && record.messages.some((m) => m.images.length > 0)) {
      record.status = 400;
      return sendJson(res, 400, IMAGE_REFUSAL);
    }

    const errorBody = d['error-body'];
    let status = Number(
      d.status ??
        (errorBody !== undefined
          ? 500
          : models.includes(record.model) || options.faults
            ? 200
            : 404),
    );
    // `[[fail-first:N]]` with a tag: the first N requests with that tag get a 503.
    if (d['fail-first'] !== undefined && d.tag !== undefined) {
      const failed = failuresByTag.get(d.tag) ?? 0;
      if (failed < Number(d['fail-first'])) {
        failuresByTag.set(d.tag, failed + 1);
        status = 503;
      }
    }
    if (errorBody !== undefined) return sendErrorBody(res, record, status, Number(errorBody));
    if (status !== 200) {
      record.status = status;
      const [type, message] = ERROR_TYPES[status] ?? ['server_error', 'Error'];
      const headers: Record<string, string> = {};
      if (d['retry-after'] !== undefined) headers['retry-after'] = d['retry-after'];
      return sendJson(res, status, { error: { message, type, code: null } }, headers);
    }

    const answer =
      d.tokens !== undefined
        ? longAnswer(Number(d.tokens))
        : d.echo !== undefined
          ? tokenize(question.replace(DIRECTIVE_AND_SPACE, ''))
          : tokenize(
              options.faults
                ? `Reply to: ${question.replace(DIRECTIVE, '').trim()}`
                : demoAnswer(question, attachmentSummary(asked?.images ?? [], asked?.files ?? [])),
            );
    // A continuation of an answer this server would give goes on with the rest of it, so that
    // the two parts together are exactly the answer.
    const whole =
      record.continuation && record.lastAssistant
        ? restAfter(answer, record.lastAssistant)
        : answer;
    const { maxTokens } = record.params;
    const capped = typeof maxTokens === 'number' && maxTokens < whole.length;
    const tokens = capped ? whole.slice(0, maxTokens) : whole;
    const delay = d.delay !== undefined ? Number(d.delay) : tokenDelay;
    const id = api === 'responses' ? `resp_sim${record.n}` : `chatcmpl-sim${record.n}`;
    const created = Math.floor(Date.now() / 1000);
    const badTypes = d['bad-types'];
    const finish: unknown =
      badTypes === 'finish' ? { r: 'stop' } : d.length !== undefined || capped ? 'length' : 'stop';
    const usage: Record<string, unknown> = {
      prompt_tokens: tokenize(messages.map((m) => textOf(m.content)).join(' ')).length,
      completion_tokens: tokens.length,
    };
    usage.total_tokens = Number(usage.prompt_tokens) + Number(usage.completion_tokens);
    if (badTypes === 'usage') {
      Object.assign(usage, {
        prompt_tokens: '12',
        completion_tokens: { x: 1 },
        total_tokens: null,
      });
    }

    if (!body.stream && api === 'responses') {
      return sendJson(
        res,
        200,
        responsesObject(id, record.model, created, tokens.join(''), finish, usage),
      );
    }
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

    if (d['no-newline'] !== undefined) return sendNoNewline(res, record);
    if (d['gzip-bomb'] !== undefined) return sendGzipBomb(res, record, d['gzip-bomb'] === 'events');

    res.writeHead(200, EVENT_STREAM);
    const wire =
      api === 'responses'
        ? responsesWire(id, record.model, created, body)
        : chatWire(id, record.model, created);
    const splitUtf8 = d['split-utf8'] !== undefined;
    const write = async (text: string) => {
      if (!splitUtf8) return send(res, record, text);
      // Network reads that end inside a multi-byte character: 1..3-byte slices.
      const bytes = Buffer.from(text, 'utf8');
      for (let i = 0; i < bytes.length;) {
        const n = 1 + (i % 3);
        if (!(await send(res, record, bytes.subarray(i, i + n)))) return false;
        i += n;
        await sleep(0);
      }
      return !res.destroyed;
    };

    if (!(await write(wire.start()))) return;
    if (d.trickle !== undefined) {
      // One whole token, then an event that never completes, one byte at a time.
      await pause(res, firstDelay);
      if (!(await write(wire.text(tokens[0] ?? 'Reply')))) return;
      record.tokensSent++;
      const open = wire.openText();
      for (let i = 0; ; i++) {
        await pause(res, Number(d.trickle));
        if (!(await write(i < open.length ? open[i]! : 'x'))) return;
      }
    }
    if (badTypes === 'reasoning') {
      await sleep(delay);
      if (!(await write(wire.reasoning(42, 'reasoning_content')))) return;
    }
    if (d.reasoning !== undefined || d['reasoning-field'] !== undefined) {
      const field = d.reasoning !== undefined ? 'reasoning_content' : 'reasoning';
      for (const piece of tokenize('Let me think about this step by step.')) {
        await sleep(delay);
        if (!(await write(wire.reasoning(piece, field)))) return;
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
        await write(wire.error());
        res.end();
        return;
      }
      if (d.malformed !== undefined && i === Number(d.malformed)) {
        await write(wire.malformed());
        res.end();
        return;
      }
      if (d.hang !== undefined && i === Number(d.hang)) return; // keeps the connection open, silent
      if (badTypes === 'content' && i === 1) {
        for (const content of [123, { a: 1 }]) {
          if (delay > 0) await sleep(delay);
          if (!(await write(wire.text(content)))) return;
        }
        break;
      }
      if (i > 0 && delay > 0) await sleep(delay);
      if (!(await write(wire.text(tokens[i])))) return;
      record.tokensSent++;
    }
    if (d['no-done'] !== undefined) {
      res.end();
      return;
    }
    const ending = wire.end(
      finish,
      usage,
      !!body.stream_options?.include_usage || badTypes === 'usage',
    );
    for (const [i, bytes] of ending.entries()) {
      // The last write of a body is not waited on for success: its end follows anyway.
      if (!(await write(bytes)) && i < ending.length - 1) return;
    }
    res.end();
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/v1/chat/completions') {
      chat(req, res, 'chat.completions').catch(() => res.destroy());
    } else if (req.method === 'POST' && url.pathname === '/v1/responses') {
      chat(req, res, 'responses').catch(() => res.destroy());
    } else if (req.method === 'GET' && url.pathname === '/v1/models') {
      sendJson(res, 200, {
        object: 'list',
        data: models.map((id) => ({
          id,
          object: 'model',
          created: 0,
          owned_by: 'simulator',
          ...(options.contextLengths?.[id] !== undefined && {
            context_length: options.contextLengths[id],
          }),
          ...(options.visionModels?.includes(id) && { capabilities: ['completion', 'vision'] }),
        })),
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
