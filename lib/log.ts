/**
 * Server logging: one JSON line per event. Never pass request bodies, upstream bodies or headers
 * here; errors are reduced to their class and message, and anything that looks like a key is
 * masked, so a secret cannot reach a log line by accident.
 */

type Fields = Record<string, unknown>;

const SECRET = /\b(sk-[A-Za-z0-9_-]{6,}|Bearer\s+\S+)/g;

function scrub(text: string): string {
  const key = process.env.OPENAI_API_KEY;
  let out = text.replace(SECRET, '[redacted]');
  if (key && key.length >= 4) out = out.split(key).join('[redacted]');
  return out;
}

function describe(value: unknown): unknown {
  if (value instanceof Error) return `${value.constructor.name}: ${value.message}`;
  return value;
}

function write(level: 'info' | 'warn' | 'error', message: string, fields: Fields = {}): void {
  const entry: Fields = { level, time: new Date().toISOString(), msg: message };
  for (const [k, v] of Object.entries(fields)) entry[k] = describe(v);
  const line = scrub(JSON.stringify(entry));
  if (level === 'error') console.error(line);
  else console.log(line);
}

export const log = {
  info: (message: string, fields?: Fields) => write('info', message, fields),
  warn: (message: string, fields?: Fields) => write('warn', message, fields),
  error: (message: string, fields?: Fields) => write('error', message, fields),
};
