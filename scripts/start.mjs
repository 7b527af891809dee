// `npm start`: installs dependencies and builds when needed, then runs the production server
// (standalone output) and prints its URL. With no OPENAI_API_KEY / OPENAI_BASE_URL it runs on
// the built-in demo model. PORT (default 3000) and HOSTNAME (default 0.0.0.0) as for Next.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

process.env.NEXT_TELEMETRY_DISABLED ??= '1';
// Our graceful shutdown (lib/shutdown.ts) handles SIGTERM; without this Next exits at once.
process.env.NEXT_MANUAL_SIG_HANDLE ??= 'true';
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (!existsSync('node_modules/.package-lock.json')) {
  console.log('Installing dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const server = '.next/standalone/server.js';
const sources = ['app', 'components', 'hooks', 'lib', 'public'].filter(existsSync);
const stale =
  !existsSync(server) ||
  Math.max(...sources.map(newest), statSync('package-lock.json').mtimeMs) >
    statSync(server).mtimeMs;
if (stale || process.argv.includes('--build')) {
  console.log('Building the production server…');
  run('npm', ['run', 'build']);
}

const port = process.env.PORT ?? '3000';
const host = process.env.HOSTNAME ?? '0.0.0.0';
const demo = !process.env.OPENAI_API_KEY && !process.env.OPENAI_BASE_URL;
const child = spawn(process.execPath, [server], {
  stdio: ['inherit', 'pipe', 'inherit'],
  env: { ...process.env, PORT: port, HOSTNAME: host },
});
let announced = false;
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (!announced && /Ready|started server/i.test(String(chunk))) {
    announced = true;
    const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    console.log(`\n  StreamChat is running at http://${shown}:${port}`);
    console.log(
      demo ? '  Model: the built-in demo model (set OPENAI_API_KEY to use a real one)\n' : '',
    );
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
