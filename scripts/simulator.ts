/**
 * Runs the OpenAI-compatible simulator on its own, for tests, benchmarks and local experiments:
 *   npm run simulator -- --port 4010 --faults --key sk-test --token-delay 10
 * What `GET /v1/models` lists, with context windows and vision where given:
 *   --models a,b,c --context-lengths a=8192,b=32768 --vision b
 * Prints `SIMULATOR_URL=<base url>` once it listens.
 */
import { parseArgs } from 'node:util';
import { createSimulator } from '../lib/simulator/server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    faults: { type: 'boolean', default: false },
    key: { type: 'string' },
    'token-delay': { type: 'string', default: '25' },
    'first-token-delay': { type: 'string', default: '150' },
    models: { type: 'string', default: 'demo' },
    'context-lengths': { type: 'string', default: '' },
    vision: { type: 'string', default: '' },
  },
});

const names = (list: string) =>
  list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const contextLengths = Object.fromEntries(
  names(values['context-lengths']).map((entry) => {
    const at = entry.lastIndexOf('=');
    return [entry.slice(0, at), Number(entry.slice(at + 1))];
  }),
);

const sim = createSimulator({
  faults: values.faults,
  apiKey: values.key,
  tokenDelayMs: Number(values['token-delay']),
  firstTokenDelayMs: Number(values['first-token-delay']),
  models: values.models.split(','),
  contextLengths,
  visionModels: names(values.vision),
});
const url = await sim.listen(Number(values.port), values.host);
console.log(`SIMULATOR_URL=${url}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void sim.close().then(() => process.exit(0)));
}
