// Completes the standalone output (next.config.mjs `output: 'standalone'`): Next leaves static
// assets and public/ for the deployer to copy, so `node .next/standalone/server.js` serves all.
// The service worker's copy gets the build id as its version: each build has a cache of its own,
// and a new build's worker replaces the old one (and its cache) at the next load.
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

const out = '.next/standalone';
if (!existsSync(`${out}/server.js`)) {
  console.error('postbuild: .next/standalone/server.js is missing; did `next build` run?');
  process.exit(1);
}
cpSync('.next/static', `${out}/.next/static`, { recursive: true });
if (existsSync('public')) cpSync('public', `${out}/public`, { recursive: true });
const worker = `${out}/public/sw.js`;
if (existsSync(worker)) {
  const buildId = readFileSync('.next/BUILD_ID', 'utf8').trim();
  const source = readFileSync(worker, 'utf8');
  const stamped = source.replace(/^const VERSION = '[^']*';$/m, `const VERSION = '${buildId}';`);
  if (stamped === source) {
    console.error('postbuild: public/sw.js has no `const VERSION = …;` line to stamp');
    process.exit(1);
  }
  writeFileSync(worker, stamped);
}
console.log('postbuild: standalone server ready at .next/standalone/server.js');
