// `npm test`: the whole suite, from a fresh machine. Installs what is missing (dependencies;
// on Debian as root, Chromium), then runs lint, typecheck, unit tests, the production build and
// the Playwright suite (API contract over HTTP/EventSource, then Chromium).
// CHROMIUM_PATH points at another Chromium build; SKIP_LINT=1 skips lint and typecheck.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

process.env.NEXT_TELEMETRY_DISABLED ??= '1';

function run(cmd, args, env = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\n✗ ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

if (!existsSync('node_modules/.package-lock.json')) run('npm', ['ci', '--no-audit', '--no-fund']);

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  const root = process.getuid?.() === 0;
  if (root && existsSync('/usr/bin/apt-get')) {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'chromium'], { DEBIAN_FRONTEND: 'noninteractive' });
  } else {
    console.error(
      `Chromium not found at ${chromium}. Install it (Debian: sudo apt-get install chromium) ` +
        'or set CHROMIUM_PATH to a Chromium/Chrome binary.',
    );
    process.exit(1);
  }
}

if (process.env.SKIP_LINT !== '1') {
  run('npx', ['eslint', '.', '--max-warnings', '0']);
  run('npx', ['prettier', '--check', '.']);
  run('npx', ['tsc', '--noEmit']);
}
run('npx', ['vitest', 'run']);
run('npm', ['run', 'build']);
run('npx', ['playwright', 'test']);
console.log('\n✓ all tests passed');
