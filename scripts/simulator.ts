/**
 * Runs the OpenAI-compatible simulator on its own, for tests, benchmarks and local experiments:
 *   npm run simulator -- --port 4010 --faults --key sk-test --token-delay 10
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
  },
});

const sim = createSimulator({
  faults: values.faults,
  apiKey: values.key,
  tokenDelayMs: Number(values['token-delay']),
  firstTokenDelayMs: Number(values['first-token-delay']),
  models: values.models.split(','),
});
const url = await sim.listen(Number(values.port), values.host);
console.log(`SIMULATOR_URL=${url}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void sim.close().then(() => process.exit(0)));
}
