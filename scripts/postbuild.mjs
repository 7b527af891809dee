// Completes the standalone output (next.config.mjs `output: 'standalone'`): Next leaves static
// assets and public/ for the deployer to copy, so `node .next/standalone/server.js` serves all.
import { cpSync, existsSync } from 'node:fs';

const out = '.next/standalone';
if (!existsSync(`${out}/server.js`)) {
  console.error('postbuild: .next/standalone/server.js is missing; did `next build` run?');
  process.exit(1);
}
cpSync('.next/static', `${out}/.next/static`, { recursive: true });
if (existsSync('public')) cpSync('public', `${out}/public`, { recursive: true });
console.log('postbuild: standalone server ready at .next/standalone/server.js');
