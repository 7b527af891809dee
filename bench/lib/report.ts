/**
 * Turns a run's figures into bench/results/: results.json (everything), results.md (the tables
 * and which goals are met) and results.svg (one chart per figure), and returns the Markdown.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackpressureRow } from '../figures/backpressure';
import type { SweepRow } from '../figures/concurrency';
import { SLICE_BYTES, type StalledRow } from '../figures/stalled';
import type { ScaleResult } from '../figures/scale';
import type { CpuRow } from '../figures/cpu';
import type { PageWeightRow } from '../figures/page-weight';
import type { RenderRow } from '../figures/render';
import type { TtftRow } from '../figures/ttft';
import type { LongContextRow } from '../figures/long-context';
import type { Mode, Sizes } from './context';
import { ROOT } from './servers';
import { isApp, labelOf, type VariantId } from './variants';

export interface Results {
  mode: Mode;
  startedAt: string;
  durationS?: number;
  machine?: Record<string, string>;
  ttft?: TtftRow[];
  longContext?: LongContextRow;
  cpu?: CpuRow[];
  sweep?: SweepRow[];
  backpressure?: BackpressureRow[];
  stalled?: StalledRow[];
  scale?: ScaleResult;
  render?: RenderRow[];
  pageWeight?: PageWeightRow[];
  goals?: Goal[];
}

export interface Goal {
  figure: string;
  goal: string;
  measured: string;
  status: 'met' | 'not met' | 'not measured';
}

function machine(): Record<string, string> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
    commit = commit.trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' });
    if (dirty.trim()) commit += ' (with uncommitted changes)';
  } catch {
    // not a git checkout
  }
  return {
    cpu: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    commit,
  };
}

const fmt = (n: number | null | undefined, unit = '') =>
  n === null || n === undefined || Number.isNaN(n) ? '—' : `${n}${unit}`;

function goals(r: Results, sizes: Sizes): Goal[] {
  const out: Goal[] = [];
  const add = (figure: string, goal: string, measured: string, ok: boolean | null) =>
    out.push({
      figure,
      goal,
      measured,
      status: ok === null ? 'not measured' : ok ? 'met' : 'not met',
    });

  // The same goals for this app on each upstream dialect (the Responses rows say so).
  const dialect = (id: VariantId) => (id === 'app-responses' ? ' Responses' : '');
  for (const t of r.ttft?.filter((x) => isApp(x.variant)) ?? []) {
    const f = `1 TTFT${dialect(t.variant)}`;
    add(f, 'added p50 ≤ 1 ms', `${t.addedP50Ms} ms`, t.addedP50Ms <= 1);
    add(f, 'added p99 ≤ 3 ms', `${t.addedP99Ms} ms`, t.addedP99Ms <= 3);
  }
  for (const c of r.cpu?.filter((x) => isApp(x.variant)) ?? []) {
    const naive = r.cpu!.find((x) => x.variant === 'naive' && x.concurrency === c.concurrency);
    const f = `2 CPU ×${c.concurrency}${dialect(c.variant)}`;
    add(f, '≤ 10 µs per token', `${c.usPerToken} µs`, c.usPerToken <= 10);
    if (naive) {
      add(
        f,
        '≤ ¼ of the naive relay',
        `${Math.round((100 * c.usPerToken) / naive.usPerToken)} % of ${naive.usPerToken} µs`,
        c.usPerToken <= naive.usPerToken / 4,
      );
    }
  }
  const sweepApp = r.sweep?.filter((x) => x.variant === 'app') ?? [];
  const top = sweepApp.at(-1);
  if (top?.skipped) {
    add(`3 ${top.open} open`, 'zero errors', 'failed at a lower count', false);
  } else if (top) {
    const n = `${top.open} open`;
    add(`3 ${n}`, 'zero errors', `${top.errors}`, top.errors === 0);
    add(`3 ${n}`, 'p99 added delay ≤ 20 ms', `${top.addedP99Ms} ms`, top.addedP99Ms <= 20);
    add(
      `3 ${n}`,
      '≤ 64 KiB per open reply',
      `${fmt(top.rssPerReplyKiB)} KiB`,
      top.rssPerReplyKiB === null ? null : top.rssPerReplyKiB <= 64,
    );
  }
  const bp = r.backpressure?.find((x) => x.variant === 'app');
  if (bp) {
    // Bounded: the server's memory stopped growing while the upstream could have sent far more
    // (the app ended the reply at its buffer); RSS itself also holds heap the runtime grew while
    // relaying at full speed, so its level is reported, not judged.
    const stopped = bp.stillGrowingMiBPerS <= 0.25;
    const cut = bp.upstreamTokensPerClient < sizes.backpressure.tokens;
    add(
      '4 backpressure',
      'memory stops growing at the per-reply buffer (REPLY_MAX_BYTES), not at the answer’s length',
      `${bp.stillGrowingMiBPerS} MiB/s at the end (${bp.rssPerClientMiB} MiB per client), upstream stopped after ${bp.upstreamTokensPerClient} of ${sizes.backpressure.tokens} tokens`,
      stopped && cut,
    );
  }
  const st = stalledGoalRow(r);
  if (st) {
    const bound = stalledBoundKiB(st);
    add(
      `7 never-reading ×${st.clients}`,
      `RSS ≤ 2 × ${SLICE_BYTES / 1024} KiB per client (a slice queued, one in the socket) + an idle follower's ${Math.max(st.idleFollowerKiB ?? 0, 0)} KiB = ${bound} KiB, not the answer's ${round2(st.replyBytes / 2 ** 20)} MiB`,
      `${st.rssPerClientKiB} KiB per client (${st.ofReply} × the answer), ${st.answered} of ${st.clients} answered` +
        (st.settled ? '' : `, still busy after ${round2(st.waitedMs / 1000)} s`),
      // An answer the kernel takes whole shows nothing of what the server would keep.
      st.kernelPerClientKiB * 1024 >= 0.9 * st.replyBytes
        ? null
        : st.answered === st.clients && st.rssPerClientKiB <= bound,
    );
  }
  const rn = r.render?.find((x) => x.variant === 'app');
  if (rn) {
    add(
      '5 render',
      'no task over 50 ms',
      `${rn.longTasks} (longest ${fmt(rn.longestTaskMs, ' ms')})`,
      rn.longTasks === 0,
    );
    add('5 render', 'p95 ≤ 4 ms per update', `${rn.p95UpdateMs} ms`, rn.p95UpdateMs <= 4);
    add(
      '5 render',
      'parsed ≤ 3 × final length',
      rn.parsedRatio === null ? 'not observable from outside' : `${rn.parsedRatio}×`,
      rn.parsedRatio === null ? null : rn.parsedRatio <= 3,
    );
    add(
      '5 render',
      'last/first quarter ≤ 1.5',
      `${rn.lastToFirstQuarter}`,
      rn.lastToFirstQuarter <= 1.5,
    );
  }
  const pw = r.pageWeight?.find((x) => x.variant === 'app');
  if (pw) {
    const kB = round2((pw.jsKiB * 1024) / 1000);
    add('6 page', '≤ 200 kB JS compressed', `${kB} kB (${pw.jsKiB} KiB)`, kB <= 200);
  }
  const sc = r.scale;
  if (sc) {
    const mem = sc.cpu.find((x) => x.store === 'memory')!;
    const red = sc.cpu.find((x) => x.store === 'redis')!;
    add(
      `8 scale CPU ×${red.concurrency}`,
      'owner with Redis ≤ 1.5 × in memory (µs per token)',
      `${sc.cpuRatio}× (${red.usPerToken} vs ${mem.usPerToken} µs; redis-server ${red.redisUsPerToken} µs more)`,
      sc.cpuRatio <= 1.5,
    );
    const f = sc.follow;
    add(
      `8 scale ×${f.replies} replies`,
      'follower on the other instance: p99 added ≤ 10 ms',
      `${f.addedP99Ms} ms (p50 ${f.addedP50Ms} ms)`,
      f.addedP99Ms <= 10,
    );
    const t = sc.takeover;
    add(
      `8 scale takeover`,
      `owner killed: no text for ≤ the lease (${t.leaseMs / 1000} s) + 3 s`,
      `lease ${signed(round2(t.worstAfterLeaseMs / 1000))} s worst, ${signed(round2(t.medianAfterLeaseMs / 1000))} s median (${t.runs.length} run${t.runs.length === 1 ? '' : 's'}; ${round2(t.worstGapMs / 1000)} s and ${round2(t.medianGapMs / 1000)} s without text)`,
      t.worstAfterLeaseMs <= 3000,
    );
    add(
      `8 scale takeover`,
      'the text on the other instance is whole (as without the kill), ids consecutive',
      `${t.wholeRuns} of ${t.runs.length} run${t.runs.length === 1 ? '' : 's'}`,
      t.wholeRuns === t.runs.length,
    );
  }

  return out;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
/** `+ 0.2` / `− 0.2`, for a difference. */
const signed = (n: number) => (n < 0 ? `− ${-n}` : `+ ${n}`);

/** This app's row at the largest count (the issue's figure), which the goal judges. */
function stalledGoalRow(r: Results): StalledRow | undefined {
  const app = (r.stalled ?? []).filter((x) => x.variant === 'app' && !x.skipped);
  return app.sort((a, b) => b.clients - a.clients)[0];
}

/** Per never-reading client: two slices plus what an idle follower costs, KiB. */
function stalledBoundKiB(row: StalledRow): number {
  return round2((2 * SLICE_BYTES) / 1024 + Math.max(row.idleFollowerKiB ?? 0, 0));
}

function table(head: string[], rows: (string | number | null)[][], numeric = true): string {
  const cells = rows.map((r) => r.map((c) => (c === null ? '—' : String(c))));
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map((_, i) => (i === 0 || !numeric ? '---' : '---:')).join(' | ')} |`,
    ...cells.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function markdown(r: Results, sizes: Sizes): string {
  const m = r.machine ?? {};
  const parts: string[] = [
    `# Benchmark results (${r.mode} mode)`,
    '',
    `${r.startedAt}, ${r.durationS ?? '?'} s — ${m.cpu}, ${m.memory}, ${m.os}, Node ${m.node}, commit ${m.commit}. ` +
      'All servers on 127.0.0.1 against one OpenAI-compatible simulator; every ratio is taken within this run.',
  ];
  if (r.goals?.length) {
    parts.push(
      '',
      '## Goals',
      '',
      table(
        ['figure', 'goal', 'measured', 'status'],
        r.goals.map((g) => [
          g.figure,
          g.goal,
          g.measured,
          g.status === 'met' ? '✅ met' : g.status === 'not met' ? '❌ not met' : '— not measured',
        ]),
        false,
      ),
    );
  }
  if (r.ttft) {
    parts.push(
      '',
      `## 1. Time to first token (${r.ttft[0]?.replies} replies each, interleaved)`,
      '',
      table(
        ['variant', 'p50', 'p99', 'added p50', 'added p99'],
        r.ttft.map((x) => [
          labelOf(x.variant),
          `${x.p50Ms} ms`,
          `${x.p99Ms} ms`,
          x.variant === 'direct' ? '—' : `${x.addedP50Ms} ms`,
          x.variant === 'direct' ? '—' : `${x.addedP99Ms} ms`,
        ]),
      ),
      '',
      'Each time is from the request to the first token, on a new connection. "Next.js route, no upstream" is not a relay: the same Next.js build answering from memory, without any upstream request. Its time is what the framework\'s request path costs by itself; a relay pays it plus a request to the upstream.',
    );
  }
  const lc = r.longContext;
  if (lc) {
    parts.push(
      '',
      `### 1b. A conversation longer than the context window (${lc.messages} messages, ${lc.bodyKiB} KiB, a 32K-token window; ${lc.replies} replies each)`,
      '',
      table(
        ['', 'one message p50', 'long conversation p50'],
        [
          [
            'this app (fits it: counts tokens, leaves the oldest out)',
            `${lc.appShortP50Ms} ms`,
            `${lc.appLongP50Ms} ms`,
          ],
          [
            'upstream itself (gets it whole)',
            `${lc.directShortP50Ms} ms`,
            `${lc.directLongP50Ms} ms`,
          ],
        ],
      ),
      '',
      `What fitting adds to the time to first token, beyond what the upstream itself pays for the longer body: **${lc.addedByFittingP50Ms} ms** at p50 (token counts are remembered between requests, as a chat sends its history again each turn). The first long request, with the tokenizer still to load and nothing counted: ${lc.coldMs} ms.`,
    );
  }
  if (r.cpu) {
    parts.push(
      '',
      `## 2. Server CPU per relayed token (${sizes.cpu.tokens}-token replies, upstream as fast as it can)`,
      '',
      `C replies started together; CPU time (utime + stime) of the server process from before the first request to after the last reply ÷ tokens received. Request handling is included. A cohort still running after ${sizes.cpu.limitMs / 1000} s is ended there and counted on what it delivered.`,
      '',
      table(
        [
          'variant',
          'concurrent',
          'tokens',
          'replies complete',
          'server CPU',
          'µs / token',
          'upstream µs / token',
        ],
        r.cpu.map((x) => [
          labelOf(x.variant),
          x.concurrency,
          x.tokens,
          `${x.completed} / ${x.concurrency}`,
          `${x.serverCpuMs} ms in ${round2(x.elapsedMs / 1000)} s`,
          x.usPerToken,
          x.upstreamUsPerToken,
        ]),
      ),
    );
  }
  if (r.sweep) {
    parts.push(
      '',
      `## 3. Concurrent replies held (${1000 / sizes.sweep.delayMs} tokens/s each, opened at ${sizes.sweep.openPerSecond}/s, all open together for ${sizes.sweep.holdMs / 1000} s)`,
      '',
      table(
        [
          'variant',
          'open',
          'errors',
          'first token p99',
          'p50 gap',
          'p99 gap',
          'direct p99 gap',
          'p99 added',
          'RSS / open reply',
          'CPU server / upstream / client',
        ],
        r.sweep.map((x) =>
          x.skipped
            ? [
                labelOf(x.variant),
                x.open,
                'skipped: failed at a lower count',
                '',
                '',
                '',
                '',
                '',
                '',
                '',
              ]
            : [
                labelOf(x.variant),
                x.open,
                x.errors
                  ? `${x.errors} (${Object.entries(x.errorKinds)
                      .map(([k, v]) => `${v} ${k}`)
                      .join(', ')})`
                  : 0,
                `${x.p99FirstTokenMs} ms`,
                `${x.p50GapMs} ms`,
                `${x.p99GapMs} ms`,
                `${x.directP99GapMs} ms`,
                `${x.addedP99Ms} ms`,
                x.rssPerReplyKiB === null ? '—' : `${x.rssPerReplyKiB} KiB`,
                x.holdCpuPct
                  ? `${x.holdCpuPct.server} / ${x.holdCpuPct.upstream} / ${x.holdCpuPct.client} %`
                  : '—',
              ],
        ),
      ),
      '',
      'Each reply lasts the opening of all of them plus the hold; gaps between tokens are taken during the hold (from a second after the last reply was opened). A reply still streaming at twice its duration after the last was opened counts as failed ("too slow"). First token: from the request to the first token, while the replies were being opened. Each row is a fresh server process. Direct replies to the upstream (one for every 20) run alongside as the control: "added" is the p99 gap minus theirs. CPU: % of one core during the hold, for the server under test, the upstream simulator and the bench client that reads every reply; the machine has two cores.',
    );
  }
  if (r.backpressure) {
    const b = sizes.backpressure;
    parts.push(
      '',
      `## 4. Backpressure (${b.clients} client${b.clients > 1 ? 's' : ''} that stop reading, answers of up to ${b.tokens} tokens, ${b.windowMs / 1000} s window)`,
      '',
      `On loopback the kernel takes about 4 MiB per connection before a server sees any backpressure, so the answers must be many MiB long to show what a server keeps in user space; generating that for 100 clients would take minutes here, hence few clients on long answers. This app runs with REPLY_MAX_BYTES=${b.replyMaxBytes} (its per-reply buffer: the replay log, kept whether or not anyone reads). RSS growth also holds heap that the runtime grew while relaying at full speed and did not return to the OS, so the sign of a bound is that growth stops (\"still growing\" at the end of the window) while the upstream could send more.`,
      '',
      table(
        [
          'variant',
          'upstream tokens / client',
          'RSS growth / client',
          'kernel queue / client',
          'still growing',
        ],
        r.backpressure.map((x) => [
          labelOf(x.variant),
          x.upstreamTokensPerClient,
          `${x.rssPerClientMiB} MiB`,
          `${x.kernelPerClientMiB} MiB`,
          `${x.stillGrowingMiBPerS} MiB/s`,
        ]),
      ),
    );
  }
  if (r.render) {
    parts.push(
      '',
      `## 5. Rendering in Chromium (${sizes.render.tokens} tokens of markdown at ${1000 / sizes.render.delayMs} tokens/s)`,
      '',
      table(
        [
          'UI',
          'updates',
          'tasks > 50 ms',
          'longest',
          'p50 / update',
          'p95 / update',
          'parsed ÷ length',
          'last ÷ first quarter (mean / update)',
          'JS on demand',
        ],
        r.render.map((x) => [
          x.variant === 'app' ? 'this app' : 'react-markdown, whole text',
          x.updates,
          x.longTasks,
          x.longestTaskMs === null
            ? `< 50 ms (max update ${x.maxUpdateMs} ms)`
            : `${x.longestTaskMs} ms`,
          `${x.p50UpdateMs} ms`,
          `${x.p95UpdateMs} ms`,
          x.parsedRatio === null ? 'n/a' : `${x.parsedRatio}×`,
          x.lastToFirstQuarter,
          `${x.onDemandJsKiB} KiB`,
        ]),
      ),
      '',
      'Work per update: from the start of the callback that led to a DOM change of the answer (animation frame, EventSource, React scheduler task, timer) to the MutationObserver that saw it. Last ÷ first quarter: mean work per update in the last quarter of the stream (by time) ÷ in the first. Parsed characters come from a counter in the page where one exists (the react-markdown page counts what it hands to the parser); the product exposes none, so it is not observable from outside.',
    );
  }
  if (r.pageWeight) {
    parts.push(
      '',
      '## 6. Page weight (before the first reply)',
      '',
      table(
        ['page', 'JS (compressed)', 'files', 'DOMContentLoaded', 'interactive'],
        r.pageWeight.map((x) => [
          x.variant === 'app' ? 'this app' : 'react-markdown page',
          `${x.jsKiB} KiB`,
          x.jsFiles,
          `${x.domContentLoadedMs} ms`,
          `${x.ttiMs} ms`,
        ]),
      ),
    );
  }
  if (r.stalled) {
    const st = sizes.stalled;
    const app = r.stalled.find((x) => x.variant === 'app' && !x.skipped);
    const answer = app ? `, ${round2(app.replyBytes / 2 ** 20)} MiB as this app's events` : '';
    const top = stalledGoalRow(r);
    parts.push(
      '',
      `## 7. Never-reading clients (an answer of ${st.tokens} tokens${answer}; clients that send their request and never read)`,
      '',
      `This app: one reply (two-step POST), finished and read once in full, then each client sends \`GET\` of its stream URL (the whole replay) and never reads. The relays have no replay: each client is its own request for the same answer, generated for it. RSS growth is read after a full garbage collection (a bench-only preload; "before GC" is what RSS showed once the server went quiet), per client the server had answered; the kernel column is what the kernel holds per client (the server's send queue and the client's receive queue), which is not in RSS. "idle follower" is the growth per never-reading follower of a reply that sends nothing, the fixed cost of a connection. Goal: each client costs at most two ${SLICE_BYTES / 1024} KiB slices more than an idle follower, whatever the answer's length. The relays generate the answer once per client, so they run at ${st.peerClients}, with this app beside them; a row they did not run says what it would take.`,
      '',
      table(
        [
          'variant',
          'clients',
          'answered',
          'RSS / client (after GC)',
          '÷ answer',
          'before GC',
          'kernel / client',
          'idle follower',
          'upstream tokens / client',
          'waited',
        ],
        r.stalled.map((x) =>
          x.skipped
            ? [labelOf(x.variant), x.clients, x.skipped, '', '', '', '', '', '', '']
            : [
                labelOf(x.variant),
                x.clients,
                x.answered,
                `${x.rssPerClientKiB} KiB`,
                `${x.ofReply}${x.replyEstimated ? ' (≈)' : ''}`,
                `${x.rssPerClientBeforeGcKiB} KiB`,
                `${x.kernelPerClientKiB} KiB`,
                x.idleFollowerKiB === null ? '—' : `${x.idleFollowerKiB} KiB`,
                x.upstreamTokensPerClient ?? 'one reply, replayed',
                `${round2(x.waitedMs / 1000)} s${x.settled ? '' : ' (not quiet)'}`,
              ],
        ),
      ),
      '',
      `"÷ answer": RSS per client ÷ the answer's size on that variant's wire (≈: for the relays, from the bytes per token of a shorter reply), about 1 when every client holds a copy of it. "waited": from sending the requests (all at once, after every client had connected) to the reading, taken once the server was quiet (CPU idle for a second, every client answered, the upstream done or held back) or at the end of the window: ${st.windowMs / 1000} s (${st.relayWindowMs / 1000} s for the relays).` +
        (top
          ? ` With ${top.clients} clients the host's TCP buffers held ${top.hostTcpMiB} MiB; from ${top.hostTcpPressureMiB} MiB (tcp_mem) the kernel holds every socket's buffers back, so it takes less per client and the server more.`
          : ''),
    );
  }
  if (r.scale) {
    const sc = r.scale;
    const s8 = sizes.scale;
    const f = sc.follow;
    const t = sc.takeover;
    const commands = (c: Record<string, number> | null) =>
      c
        ? Object.entries(c)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')
        : '—';
    parts.push(
      '',
      `## 8. Scale-out with Redis (two instances, A and B, and one redis-server; the in-memory app beside them)`,
      '',
      `Host load average ${sc.loadAverage} on ${f.cores} cores when the figure started. CPU per token: figure 2's load (${s8.cpu.concurrency} replies of ${s8.cpu.tokens} tokens started together, one-request mode, upstream as fast as it can) on the in-memory app and on A with Redis, alternating, ${s8.cpu.rounds} round${s8.cpu.rounds > 1 ? 's' : ''} each; server CPU ÷ tokens received over all rounds. redis-server's CPU is not charged to the app; "Redis commands" are the calls per token that redis-server counted (INFO commandstats).`,
      '',
      table(
        [
          'store',
          'concurrent',
          'tokens',
          'server CPU',
          'µs / token',
          'per round',
          'redis-server µs / token',
          'Redis commands / token',
        ],
        sc.cpu.map((x) => [
          x.store === 'memory' ? 'in memory' : 'Redis (owner, A)',
          x.concurrency,
          x.tokens,
          `${x.serverCpuMs} ms`,
          x.usPerToken,
          x.roundsUsPerToken.join(' / '),
          x.redisUsPerToken ?? '—',
          commands(x.redisCommandsPerToken),
        ]),
      ),
      '',
      `A follower on the other instance: ${f.replies} replies of ${f.tokensPerReply} tokens at ${1000 / f.delayMs} tokens/s created at once on A (two-step POST), each followed on A and on B, and by a second follower on A (the control). Per token, its arrival on B minus its arrival on A; a subscriber of the bench's own timestamps A's notification that the token is in Redis, which splits that delay into A's write and B's read and send.`,
      '',
      table(
        ['comparison', 'p50', 'p99', 'max', 'tokens'],
        [
          [
            'B − A (the other instance)',
            `${f.addedP50Ms} ms`,
            `${f.addedP99Ms} ms`,
            `${f.addedMaxMs} ms`,
            f.samples,
          ],
          [
            'of which: A → written to Redis',
            `${f.ownerWriteP50Ms} ms`,
            `${f.ownerWriteP99Ms} ms`,
            '',
            '',
          ],
          [
            'of which: written → arrived on B',
            `${f.otherReadP50Ms} ms`,
            `${f.otherReadP99Ms} ms`,
            '',
            '',
          ],
          [
            'A − A (control: two followers of the owner)',
            `${f.controlP50Ms} ms`,
            `${f.controlP99Ms} ms`,
            '',
            f.samples,
          ],
        ],
      ),
      '',
      `${f.excluded} token${f.excluded === 1 ? '' : 's'} left out (they reached A before both followers had their response: replayed, not relayed live). While the replies ran (${round2(f.elapsedMs / 1000)} s): A ${f.ownerCpuMs} ms of CPU, B ${f.otherCpuMs} ms, redis-server ${f.redisCpuMs} ms; the host was ${f.hostBusyPct} % busy, ${f.hostOtherPct} % by processes outside the bench.`,
      '',
      `Takeover: REPLY_LEASE_MS=${t.leaseMs} on A and B; a reply of ${t.tokens} tokens at ${1000 / t.delayMs} tokens/s created on A and followed on B; A killed (SIGKILL) after B received ${s8.takeover.killAfter} messages, restarted between runs. "No text": from the last \`message\` from A (the last before the \`notice\`) to the first after it, on B. The lease is in it by design: B may only take over once the lease lapsed, up to a lease period after A's last renewal, and looks for lapsed leases three times per period.`,
      '',
      table(
        [
          'run',
          'no text',
          '− lease',
          'kill → notice',
          'notice → text',
          'text whole',
          'events consistent',
          'upstream requests',
          'tokens generated twice',
        ],
        t.runs.map((x) => [
          x.run,
          `${x.gapMs} ms`,
          `${x.afterLeaseMs} ms`,
          `${x.killToNoticeMs} ms`,
          `${x.noticeToTextMs} ms`,
          x.whole ? 'yes' : `no${x.error ? ` (${x.error})` : ''}`,
          x.consistent ? 'yes' : 'no',
          x.upstreamRequests,
          x.regeneratedTokens,
        ]),
      ),
      '',
      `Worst ${t.worstGapMs} ms (lease ${signed(t.worstAfterLeaseMs)} ms), median ${t.medianGapMs} ms (lease ${signed(t.medianAfterLeaseMs)} ms); the lease alone ranges from two thirds of a period to a whole one, depending on when A last renewed it. "Text whole": the text B received equals the answer of a reply that was not interrupted (the simulator continues the same answer after the text it is given). "Events consistent": ids 1, 2, 3… without a gap or repeat, one \`notice\` (\`continued\`), \`close\` with \`stop\`. "Tokens generated twice": what the upstream sent for A that never reached Redis, generated again for B.`,
    );
  }
  return parts.join('\n') + '\n';
}

/** Rewrites results.md and results.svg from a run's results.json (after a change to this file). */
export function rerender(outDir: string): string {
  const { sizes, ...results } = JSON.parse(
    readFileSync(path.join(outDir, 'results.json'), 'utf8'),
  ) as Results & { sizes: Sizes };
  return write(results, sizes, outDir);
}

export function writeReport(results: Results, sizes: Sizes, outDir: string): string {
  results.machine = machine();
  return write(results, sizes, outDir);
}

/** Judges the goals and writes results.json, .md and .svg; returns the Markdown. */
function write(results: Results, sizes: Sizes, outDir: string): string {
  results.goals = goals(results, sizes);
  const md = markdown(results, sizes);
  writeFileSync(
    path.join(outDir, 'results.json'),
    JSON.stringify({ sizes, ...results }, null, 2) + '\n',
  );
  writeFileSync(path.join(outDir, 'results.md'), md);
  writeFileSync(path.join(outDir, 'results.svg'), chart(results, sizes));
  return md;
}

// ---------------------------------------------------------------------------------------------
// SVG chart: one small bar chart per figure, goal lines dashed.

const COLORS: Record<string, string> = {
  direct: '#9ca3af',
  app: '#2563eb',
  naive: '#f59e0b',
  'ai-sdk': '#10b981',
  'react-markdown': '#f59e0b',
};
const SERIES = ['#2563eb', '#93c5fd', '#1e3a8a'];
/** Light to dark, for an ordered series (replies open). */
const SEQUENCE = ['#bfdbfe', '#60a5fa', '#2563eb', '#1e3a8a'];

interface Bar {
  label: string;
  value: number | null;
  color: string;
  /** Shown instead of a bar when there is no value. */
  missing?: string;
  /** Appended to the value's label (a failed step). */
  flag?: string;
}
interface Group {
  label: string;
  bars: Bar[];
}
interface Panel {
  title: string;
  unit: string;
  groups: Group[];
  goal?: { value: number; label: string };
  note?: string;
  legend?: { label: string; color: string }[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function short(n: number): string {
  if (n >= 100) return String(Math.round(n));
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

function panel(p: Panel, x: number, y: number, w: number, h: number): string {
  const out: string[] = [];
  const top = y + 46;
  const bottom = y + h - 34;
  const left = x + 12;
  const right = x + w - 12;
  out.push(`<text x="${x + 12}" y="${y + 20}" class="t">${esc(p.title)}</text>`);
  if (p.note) out.push(`<text x="${x + 12}" y="${y + 36}" class="n">${esc(p.note)}</text>`);
  const values = p.groups.flatMap((g) => g.bars.map((b) => b.value ?? 0));
  if (p.goal) values.push(p.goal.value);
  const positive = values.filter((v) => v > 0);
  const max = Math.max(...positive, 1e-9);
  const min = Math.min(...positive, max);
  const log = max / min > 50;
  const floor = log ? Math.pow(10, Math.floor(Math.log10(min))) : 0;
  const scale = (v: number) => {
    if (v <= 0) return 0;
    if (!log) return ((bottom - top) * v) / (max * 1.1);
    return ((bottom - top) * Math.log10(v / floor)) / Math.log10((max * 1.5) / floor);
  };
  out.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" class="axis"/>`);
  const groupW = (right - left) / Math.max(p.groups.length, 1);
  p.groups.forEach((g, gi) => {
    const gx = left + gi * groupW;
    const barW = Math.min(34, (groupW - 16) / Math.max(g.bars.length, 1));
    const start = gx + (groupW - barW * g.bars.length) / 2;
    g.bars.forEach((b, bi) => {
      const bx = start + bi * barW;
      if (b.value === null) {
        out.push(
          `<text x="${bx + barW / 2}" y="${bottom - 4}" class="v">${esc(b.missing ?? 'n/a')}</text>`,
        );
        return;
      }
      const bh = Math.max(scale(b.value), 1);
      out.push(
        `<rect x="${bx + 1}" y="${bottom - bh}" width="${barW - 2}" height="${bh}" fill="${b.color}"><title>${esc(`${g.label} ${b.label}: ${b.value} ${p.unit}`)}</title></rect>`,
      );
      out.push(
        `<text x="${bx + barW / 2}" y="${bottom - bh - 3}" class="v">${short(b.value)}${b.flag ?? ''}</text>`,
      );
    });
    out.push(`<text x="${gx + groupW / 2}" y="${bottom + 14}" class="g">${esc(g.label)}</text>`);
  });
  if (p.goal) {
    const gy = bottom - scale(p.goal.value);
    out.push(`<line x1="${left}" y1="${gy}" x2="${right}" y2="${gy}" class="goal"/>`);
    out.push(`<text x="${right}" y="${gy - 3}" class="gl">${esc(p.goal.label)}</text>`);
  }
  const legendY = bottom + 28;
  let lx = left;
  for (const l of p.legend ?? []) {
    out.push(`<rect x="${lx}" y="${legendY - 8}" width="9" height="9" fill="${l.color}"/>`);
    out.push(`<text x="${lx + 12}" y="${legendY}" class="lg">${esc(l.label)}</text>`);
    lx += 18 + l.label.length * 5.6;
  }
  out.push(
    `<text x="${x + w - 12}" y="${y + 20}" class="u">${esc(p.unit)}${log ? ' (log)' : ''}</text>`,
  );
  return out.join('\n');
}

function sweepValue(row: SweepRow | undefined): number | null {
  if (!row || row.skipped || !Number.isFinite(row.addedP99Ms)) return null;
  return Math.max(row.addedP99Ms, 0);
}

function panels(r: Results, sizes: Sizes): Panel[] {
  const out: Panel[] = [];
  const relays = (ids: VariantId[]) => ids.filter((id) => id !== 'direct');
  if (r.ttft) {
    const rows = r.ttft.filter((x) => x.variant !== 'direct');
    out.push({
      title: '1 · Added time to first token',
      unit: 'ms',
      note: 'vs the upstream itself; goal p50 ≤ 1, p99 ≤ 3',
      groups: rows.map((x) => ({
        label: labelOf(x.variant),
        bars: [
          { label: 'p50', value: Math.max(x.addedP50Ms, 0), color: SERIES[0]! },
          { label: 'p99', value: Math.max(x.addedP99Ms, 0), color: SERIES[1]! },
        ],
      })),
      goal: { value: 3, label: 'p99 goal' },
      legend: [
        { label: 'p50', color: SERIES[0]! },
        { label: 'p99', color: SERIES[1]! },
      ],
    });
  }
  if (r.cpu) {
    const conc = [...new Set(r.cpu.map((x) => x.concurrency))];
    out.push({
      title: '2 · Server CPU per relayed token',
      unit: 'µs',
      note: `${sizes.cpu.tokens}-token replies, as fast as possible`,
      groups: relays([...new Set(r.cpu.map((x) => x.variant))]).map((id) => ({
        label: labelOf(id),
        bars: conc.map((c, i) => ({
          label: `×${c}`,
          value: r.cpu!.find((x) => x.variant === id && x.concurrency === c)?.usPerToken ?? null,
          color: SERIES[i % SERIES.length]!,
        })),
      })),
      goal: { value: 10, label: 'goal 10 µs' },
      legend: conc.map((c, i) => ({ label: `${c} concurrent`, color: SERIES[i % SERIES.length]! })),
    });
  }
  if (r.sweep) {
    const open = [...new Set(r.sweep.map((x) => x.open))];
    out.push({
      title: '3 · p99 added inter-token delay',
      unit: 'ms',
      note: `open replies at ${1000 / sizes.sweep.delayMs} tokens/s; ✗ failed (see the table)`,
      groups: relays([...new Set(r.sweep.map((x) => x.variant))]).map((id) => ({
        label: labelOf(id),
        bars: open.map((n, i) => ({
          label: `${n}`,
          value: sweepValue(r.sweep!.find((x) => x.variant === id && x.open === n)),
          missing: '✗',
          flag: r.sweep!.find((x) => x.variant === id && x.open === n)?.errors ? ' ✗' : '',
          color: SEQUENCE[i % SEQUENCE.length]!,
        })),
      })),
      goal: { value: 20, label: 'goal 20 ms' },
      legend: open.map((n, i) => ({ label: `${n} open`, color: SEQUENCE[i % SEQUENCE.length]! })),
    });
    out.push({
      title: '3 · RSS per open reply',
      unit: 'KiB',
      note: 'server memory growth ÷ open replies',
      groups: relays([...new Set(r.sweep.map((x) => x.variant))]).map((id) => ({
        label: labelOf(id),
        bars: open.map((n, i) => ({
          label: `${n}`,
          value: r.sweep!.find((x) => x.variant === id && x.open === n)?.rssPerReplyKiB ?? null,
          missing: '✗',
          flag: r.sweep!.find((x) => x.variant === id && x.open === n)?.errors ? ' ✗' : '',
          color: SEQUENCE[i % SEQUENCE.length]!,
        })),
      })),
      goal: { value: 64, label: 'goal 64 KiB' },
      legend: open.map((n, i) => ({ label: `${n} open`, color: SEQUENCE[i % SEQUENCE.length]! })),
    });
  }
  if (r.backpressure) {
    out.push({
      title: '4 · Memory per stalled client',
      unit: 'MiB',
      note: `RSS growth; still growing at the end: ${r.backpressure.map((x) => `${x.stillGrowingMiBPerS}`).join(' / ')} MiB/s`,
      groups: r.backpressure.map((x) => ({
        label: labelOf(x.variant),
        bars: [{ label: 'RSS', value: Math.max(x.rssPerClientMiB, 0), color: COLORS[x.variant]! }],
      })),
      goal: {
        value: sizes.backpressure.replyMaxBytes / 2 ** 20,
        label: 'app buffer',
      },
    });
  }
  if (r.render) {
    out.push({
      title: '5 · Work per update',
      unit: 'ms',
      note: `${sizes.render.tokens} markdown tokens at ${1000 / sizes.render.delayMs}/s; last÷first quarter ${r.render.map((x) => x.lastToFirstQuarter).join(' vs ')}`,
      groups: r.render.map((x) => ({
        label: x.variant === 'app' ? 'this app' : 'react-markdown',
        bars: [
          { label: 'p95', value: x.p95UpdateMs, color: SERIES[0]! },
          { label: 'max', value: x.longestTaskMs ?? x.maxUpdateMs, color: SERIES[1]! },
        ],
      })),
      goal: { value: 4, label: 'goal p95 4 ms' },
      legend: [
        { label: 'p95 update', color: SERIES[0]! },
        { label: 'longest task', color: SERIES[1]! },
      ],
    });
  }
  if (r.pageWeight) {
    out.push({
      title: '6 · JavaScript before the first reply',
      unit: 'KiB',
      note: `compressed; interactive at ${r.pageWeight.map((x) => `${x.ttiMs} ms`).join(' vs ')}`,
      groups: r.pageWeight.map((x) => ({
        label: x.variant === 'app' ? 'this app' : 'react-markdown page',
        bars: [{ label: 'JS', value: x.jsKiB, color: COLORS[x.variant]! }],
      })),
      goal: { value: 200 / 1.024, label: 'goal 200 kB' },
    });
  }
  if (r.stalled) {
    const counts = [...new Set(r.stalled.map((x) => x.clients))];
    const top = stalledGoalRow(r);
    out.push({
      title: '7 · RSS per never-reading client',
      unit: 'KiB',
      note: `after a full GC; answer ${sizes.stalled.tokens} tokens${top ? ` (${round2(top.replyBytes / 2 ** 20)} MiB)` : ''}; —: not run`,
      groups: [...new Set(r.stalled.map((x) => x.variant))].map((id) => ({
        label: labelOf(id),
        bars: counts.map((n, i) => {
          const x = r.stalled!.find((y) => y.variant === id && y.clients === n);
          return {
            label: `${n}`,
            value: x && !x.skipped ? Math.max(x.rssPerClientKiB, 0) : null,
            missing: '—',
            color: SEQUENCE[(i + 1) % SEQUENCE.length]!,
          };
        }),
      })),
      goal: top ? { value: stalledBoundKiB(top), label: 'goal' } : undefined,
      legend: counts.map((n, i) => ({
        label: `${n} client${n === 1 ? '' : 's'}`,
        color: SEQUENCE[(i + 1) % SEQUENCE.length]!,
      })),
    });
  }
  if (r.scale) {
    const sc = r.scale;
    const mem = sc.cpu.find((x) => x.store === 'memory')!;
    const red = sc.cpu.find((x) => x.store === 'redis')!;
    out.push({
      title: '8 · CPU per token on the owner',
      unit: 'µs',
      note: `${red.concurrency} replies at full speed; Redis ${sc.cpuRatio}× in memory`,
      groups: [
        { label: 'in memory', bars: [{ label: 'app', value: mem.usPerToken, color: SERIES[0]! }] },
        {
          label: 'with Redis',
          bars: [
            { label: 'app', value: red.usPerToken, color: SERIES[0]! },
            { label: 'redis-server', value: red.redisUsPerToken, color: SERIES[1]! },
          ],
        },
      ],
      goal: { value: round2(1.5 * mem.usPerToken), label: 'goal 1.5×' },
      legend: [
        { label: 'app (owner)', color: SERIES[0]! },
        { label: 'redis-server', color: SERIES[1]! },
      ],
    });
    const f = sc.follow;
    out.push({
      title: '8 · Follower on the other instance',
      unit: 'ms',
      note: `added delay per token, ${f.replies} replies at ${1000 / f.delayMs} tokens/s`,
      groups: [
        {
          label: 'B − A',
          bars: [
            { label: 'p50', value: Math.max(f.addedP50Ms, 0), color: SERIES[0]! },
            { label: 'p99', value: Math.max(f.addedP99Ms, 0), color: SERIES[1]! },
          ],
        },
        {
          label: 'A − A (control)',
          bars: [
            { label: 'p50', value: Math.max(f.controlP50Ms, 0), color: SERIES[0]! },
            { label: 'p99', value: Math.max(f.controlP99Ms, 0), color: SERIES[1]! },
          ],
        },
      ],
      goal: { value: 10, label: 'goal p99 10 ms' },
      legend: [
        { label: 'p50', color: SERIES[0]! },
        { label: 'p99', color: SERIES[1]! },
      ],
    });
    const t = sc.takeover;
    out.push({
      title: '8 · No text after the owner is killed',
      unit: 's',
      note: `takeover, lease ${t.leaseMs / 1000} s; text whole in ${t.wholeRuns} of ${t.runs.length} runs`,
      groups: t.runs.map((x) => ({
        label: `run ${x.run}`,
        bars: [
          {
            label: 'gap',
            value: Number.isFinite(x.gapMs) ? round2(x.gapMs / 1000) : null,
            missing: '✗',
            flag: x.whole && x.consistent ? '' : ' ✗',
            color: SERIES[0]!,
          },
        ],
      })),
      goal: { value: t.leaseMs / 1000 + 3, label: 'goal lease + 3 s' },
    });
  }
  return out;
}

export function chart(r: Results, sizes: Sizes): string {
  const ps = panels(r, sizes);
  const cols = 3;
  const w = 340;
  const h = 250;
  const rows = Math.max(1, Math.ceil(ps.length / cols));
  const width = cols * w;
  const height = rows * h + 40;
  const body = ps.map((p, i) => panel(p, (i % cols) * w, 40 + Math.floor(i / cols) * h, w, h));
  const m = r.machine ?? {};
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">
<style>
.t{font-size:13px;font-weight:600;fill:#111827}.n{font-size:10px;fill:#6b7280}.u{font-size:10px;fill:#6b7280;text-anchor:end}
.v{font-size:9px;fill:#374151;text-anchor:middle}.g{font-size:10px;fill:#374151;text-anchor:middle}
.lg{font-size:9.5px;fill:#374151}.axis{stroke:#9ca3af}.goal{stroke:#dc2626;stroke-dasharray:4 3}
.gl{font-size:9px;fill:#dc2626;text-anchor:end}.h{font-size:14px;font-weight:700;fill:#111827}.s{font-size:10.5px;fill:#6b7280}
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="12" y="20" class="h">StreamChat benchmarks (${esc(r.mode)} mode)</text>
<text x="12" y="34" class="s">${esc(`${r.startedAt.slice(0, 10)} · ${m.cpu ?? ''} · ${m.memory ?? ''} · Node ${m.node ?? ''} · this app vs naive relay vs AI SDK, same upstream, same run`)}</text>
${body.join('\n')}
</svg>
`;
}
