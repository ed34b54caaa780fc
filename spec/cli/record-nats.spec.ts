/**
 * Recording in NATS mode: `kubeactor up --record A.log` and `kubeactor node --record B.log`
 * on one real nats-server each record what their own actors receive, and
 * `kubeactor replay --timeline A.log B.log` merges the two logs by time.
 *
 * The run: the control plane (no nodes of its own) and node n1 in its own process; the
 * real kubectl, through the kubeconfig `up` prints, waits for n1 Ready, creates one pod and
 * waits for it Running; then both processes get SIGINT (by PID, SIGKILL after a grace).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { natsServerConfig } from '../../bus/nats/server-config.ts';
import { runCli, stopWithin, type CliProcess } from '../helpers/cli.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import type { Run } from '../e2e/cluster.ts';
import { eventually } from '../helpers/wait.ts';

const PASS = { cp: 'cp-secret', n1: 'n1-secret' };
const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));

const procs: CliProcess[] = [];
const dirs: string[] = [];
let nats: NatsServerHandle | undefined;

// runCli kills what a failed spec left running when the process exits.
function start(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const p = runCli(args, env);
  procs.push(p);
  return p;
}

/** Runs a command to its end; never rejects. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 60_000, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const kubeactor = (...args: string[]) => run(process.execPath, [BIN, ...args]);

/** What `replay --json` prints per entry (actors/replay/merge.ts: `i` in the merged stream, `src` the file's index). */
interface Line {
  i: number;
  src: number;
  n: number;
  at: number;
  kind: string;
  from?: string;
  to?: string;
  type?: string;
  corr?: string;
  seq?: number;
  address?: string;
}

test('up --record and node --record over NATS: two logs that replay --timeline merges by time', async () => {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-record-nats-'));
  dirs.push(dir);
  const logA = join(dir, 'A.log');
  const logB = join(dir, 'B.log');
  nats = await startNatsServer({
    config: natsServerConfig({
      users: [
        { identity: 'control-plane', password: PASS.cp },
        { identity: 'node-n1', password: PASS.n1 },
      ],
    }),
  });

  const up = start(['up', '--bus', nats.url, '--nodes', '0', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--record', logA], {
    KUBEACTOR_NATS_PASS: PASS.cp,
  });
  await up.waitFor('ready.', 30_000);
  assert.match(up.output(), `kubeactor: recording to ${logA} (secrets redacted)`);
  const kubeconfig = /kubeconfig: (\S+)/.exec(up.output())?.[1];
  assert.ok(kubeconfig, `up printed its kubeconfig:\n${up.output()}`);

  const node = start(['node', '--bus', nats.url, '--name', 'n1', '--nats-pass', PASS.n1, '--default-runtime', 'sim', '--record', logB]);
  await node.waitFor('ready.', 30_000);
  assert.match(node.output(), `kubeactor node: recording to ${logB} (secrets redacted)`);

  // HOME holds kubectl's discovery cache: a fresh one per run.
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, NO_COLOR: '1' };
  const kubectl = (...args: string[]) => run('kubectl', ['--request-timeout=20s', ...args], env);
  const get = async (what: string[]): Promise<{ status?: { phase?: string; conditions?: { type: string; status: string }[] } } | undefined> => {
    const r = await kubectl('get', ...what, '-o', 'json');
    return r.code === 0 ? JSON.parse(r.stdout) : undefined;
  };
  const ready = async () => (await get(['node', 'n1']))?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  await eventually(ready, { timeoutMs: 30_000, intervalMs: 50, detail: async () => `node n1 Ready:\n${(await kubectl('get', 'nodes')).stdout}` });
  const created = await kubectl('run', 'p1', '--image', 'registry.k8s.io/pause:3.10', '--restart', 'Never');
  assert.is(created.code, 0, created.stderr);
  const running = async () => (await get(['pod', 'p1']))?.status?.phase === 'Running';
  await eventually(running, { timeoutMs: 30_000, intervalMs: 50, detail: async () => `pod p1 Running:\n${(await kubectl('get', 'pods', '-o', 'wide')).stdout}` });
  const runningAt = Date.now();
  // What the kubelet asked before now is answered well before it stops (checked below).
  await new Promise((r) => setTimeout(r, 300));

  // Nodes first, as an operator would; each process closes its log on the way out.
  assert.is(await stopWithin(node, 'SIGINT'), 0, node.output());
  assert.match(node.output(), 'SIGINT: stopping');
  assert.is(await stopWithin(up, 'SIGINT'), 0, up.output());

  const [merged, kubelet] = await Promise.all([
    kubeactor('replay', '--timeline', logA, logB, '--json'),
    kubeactor('replay', '--timeline', logB, '--actor', 'kubelet.*'),
  ]);
  assert.is(merged.code, 0, merged.stderr);
  const lines = merged.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
  const fromA = lines.filter((e) => e.src === 0);
  const fromB = lines.filter((e) => e.src === 1);
  assert.ok(fromA.length > 0 && fromB.length > 0, `entries from both files: ${fromA.length} from A, ${fromB.length} from B`);
  // Each process recorded its own actors: the apiserver starts in A, the kubelet in B.
  assert.ok(fromA.some((e) => e.kind === 'start' && e.address === 'apiserver'), 'the apiserver starts in A');
  assert.ok(fromB.some((e) => e.kind === 'start' && e.address === 'kubelet.n1'), 'kubelet.n1 starts in B');
  assert.not.ok(fromA.some((e) => e.kind === 'start' && e.address === 'kubelet.n1'), 'but not in A');
  assert.ok(fromB.some((e) => e.kind === 'msg' && e.from === 'apiserver' && e.to === 'kubelet.n1'), 'apiserver → kubelet.n1 in B');
  // A message from the kubelet to the apiserver, recorded where it was delivered.
  assert.ok(fromA.some((e) => e.kind === 'msg' && e.from === 'kubelet.n1' && e.to === 'apiserver' && e.type === 'api.create'), 'kubelet.n1 → apiserver api.create in A');

  // The merged stream: positions 1…N, each file's own order kept, the files interleaved by time.
  assert.equal(lines.map((e) => e.i), lines.map((_, k) => k + 1));
  for (const part of [fromA, fromB]) assert.ok(part.every((e, k) => k === 0 || e.n > part[k - 1]!.n), 'one file keeps its order');
  assert.ok(lines.filter((e, k) => k > 0 && e.src !== lines[k - 1]!.src).length >= 2, 'B is interleaved with A, not appended');
  // Entries carry the time they happened in their process (a message: when it was delivered), so the merge is in time order.
  const back = lines.findIndex((e, k) => k > 0 && e.at < lines[k - 1]!.at);
  assert.is(back, -1, `ordered by time at position ${back + 1}: ${JSON.stringify(lines.slice(Math.max(back - 2, 0), back + 2))}`);

  // Both logs together replay every actor of both processes as it ran.
  const verified = await kubeactor('replay', '--verify', logA, logB);
  assert.is(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /verified \d+ actor\(s\), \d+ output\(s\) matched over \d+ entries; 0 skipped; 0 divergence\(s\)/);

  // Each envelope is recorded once, by the process it was delivered in.
  const key = (e: Line) => `${e.from}|${e.to}|${e.seq}`;
  for (const part of [fromA, fromB]) {
    const keys = part.filter((e) => e.kind === 'msg' && e.from !== 'bus').map(key);
    assert.is(new Set(keys).size, keys.length, 'no envelope twice in one log');
  }
  // Each request the kubelet made (recorded in A, where the apiserver got it) has its reply in B, once.
  const asked = fromA.filter((e) => e.kind === 'msg' && e.from === 'kubelet.n1' && e.corr !== undefined && e.at < runningAt);
  assert.ok(asked.length >= 3, `the kubelet's requests in A: ${asked.length}`);
  for (const req of asked) {
    const replies = fromB.filter((e) => e.kind === 'msg' && e.type === 'reply' && e.corr === req.corr);
    assert.is(replies.length, 1, `one reply to ${req.type} [${req.corr}] in B`);
    assert.is(replies[0]!.from, 'apiserver');
  }

  // One file alone, filtered to the kubelet.
  assert.is(kubelet.code, 0, kubelet.stderr);
  const shown = kubelet.stdout.trim().split('\n');
  assert.ok(shown.length >= 5, `replay --actor 'kubelet.*' printed:\n${kubelet.stdout}`);
  assert.ok(shown.every((l) => l.includes('kubelet.n1')), kubelet.stdout);
  console.log(`record-nats: ${fromA.length} entries in A, ${fromB.length} in B; ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

test.after(async () => {
  await Promise.all(procs.map((p) => stopWithin(p, 'SIGTERM', 5000)));
  await nats?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
