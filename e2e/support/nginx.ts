/**
 * Starts a real nginx (Debian's package) with the documented configuration, deploy/nginx.conf,
 * in front of a given port, or of several (one `server` line each in the `upstream` block, as the
 * file says to do for several instances). Only the listen port and the upstream ports are replaced.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './ports';

export async function startNginx(
  upstreamPorts: number | number[],
): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'streamchat-nginx-'));
  // Started as root, nginx's workers run as `nobody`: they must reach the temp paths below (a
  // request body larger than its buffer is written there).
  chmodSync(dir, 0o755);
  const port = await freePort();
  const site = readFileSync('deploy/nginx.conf', 'utf8')
    .replace(
      'server 127.0.0.1:3000;',
      [upstreamPorts]
        .flat()
        .map((p) => `server 127.0.0.1:${p};`)
        .join('\n    '),
    )
    .replace('listen 8080;', `listen 127.0.0.1:${port};`);
  writeFileSync(path.join(dir, 'site.conf'), site);
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  gzip on;
  gzip_types text/event-stream application/json;
  include ${dir}/site.conf;
}
`,
  );
  const bin = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
  const child = spawn(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: 'inherit',
  });
  await waitForPort(port);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGQUIT');
      }),
  };
}
