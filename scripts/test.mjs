// `npm test`: the whole suite, from a fresh machine. Installs what is missing (dependencies;
// on Debian as root, Chromium, redis-server and nginx), then runs lint, typecheck, unit tests, the production build and
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

/**
 * `npm audit` of the production dependencies: a known high or critical vulnerability fails the
 * suite. When the registry's audit service cannot be reached (offline, or a mirror without it),
 * it says so and goes on: that is not a finding about the code.
 */
function auditProduction() {
  console.log('\n$ npm audit --omit=dev --json');
  const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' });
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    report = undefined;
  }
  const counts = report?.metadata?.vulnerabilities;
  if (!counts) {
    const why =
      report?.message ?? report?.error?.summary ?? (r.stderr || '').trim().split('\n').at(-1) ?? '';
    console.warn(`! npm audit unavailable here, skipped (${why})`);
    return;
  }
  const serious = (counts.high ?? 0) + (counts.critical ?? 0);
  console.log(`npm audit (production): ${JSON.stringify(counts)}`);
  if (serious > 0) {
    for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
      if (v.severity === 'high' || v.severity === 'critical')
        console.error(`  ${v.severity}: ${name}`);
    }
    console.error(
      '\n✗ npm audit found high or critical vulnerabilities in production dependencies',
    );
    process.exit(1);
  }
}

if (!existsSync('node_modules/.package-lock.json')) run('npm', ['ci', '--no-audit', '--no-fund']);

// Real services the suite starts itself: Chromium, redis-server, nginx.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const needs = [
  { pkg: 'chromium', bin: chromium, env: 'CHROMIUM_PATH' },
  { pkg: 'redis-server', bin: '/usr/bin/redis-server' },
  { pkg: 'nginx', bin: process.env.NGINX_PATH ?? '/usr/sbin/nginx', env: 'NGINX_PATH' },
];
const missing = needs.filter((n) => !existsSync(n.bin));
if (missing.length > 0) {
  const root = process.getuid?.() === 0;
  if (root && existsSync('/usr/bin/apt-get')) {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', ...missing.map((n) => n.pkg)], {
      DEBIAN_FRONTEND: 'noninteractive',
    });
  } else {
    for (const n of missing) {
      console.error(
        `${n.pkg} not found at ${n.bin}. Install it (Debian: sudo apt-get install ${n.pkg})` +
          (n.env ? ` or set ${n.env}.` : '.'),
      );
    }
    process.exit(1);
  }
}

if (process.env.SKIP_LINT !== '1') {
  run('npx', ['eslint', '.', '--max-warnings', '0']);
  run('npx', ['prettier', '--check', '.']);
  run('npx', ['tsc', '--noEmit']);
}
auditProduction();
run('npx', ['vitest', 'run']);
run('npm', ['run', 'build']);
run('npx', ['playwright', 'test']);
console.log('\n✓ all tests passed');
