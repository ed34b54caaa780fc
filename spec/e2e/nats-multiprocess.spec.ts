/**
 * A cluster spread over processes on a real nats-server with per-identity users and
 * permissions: `kubeactor up` (control plane, identity control-plane, no nodes of its
 * own) and two `kubeactor node` processes — node `a` alone (identity node-a) and nodes
 * b-1, b-2 (identity nodes). The real kubectl, through the kubeconfig `up` prints, sees
 * the three nodes Ready and pods on each of them Running.
 *
 * Placement: pods are created unbound; the scheduler in the `up` process places them, and
 * the kubelets in the node processes run them.
 *
 * Every process is stopped by PID, also when a step fails (and SIGKILLed if this spec
 * process itself dies).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { natsServerConfig } from '../../bus/nats/server-config.ts';
import { runCli, stopWithin, type CliProcess } from '../helpers/cli.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import type { Run } from './cluster.ts';
import { eventually } from '../helpers/wait.ts';

const PASS = { cp: 'cp-secret', a: 'a-secret', nodes: 'nodes-secret' };
const NODES = ['a', 'b-1', 'b-2'];

const procs: CliProcess[] = [];
const dirs: string[] = [];
let nats: NatsServerHandle | undefined;

process.on('exit', () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null && p.child.pid) process.kill(p.child.pid, 'SIGKILL');
});

function start(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const p = runCli(args, env);
  procs.push(p);
  return p;
}

/** SIGTERM by PID, SIGKILL after `graceMs`; resolves with the exit code. */

function kubectl(home: string, kubeconfig: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: home, NO_COLOR: '1' };
    const child = execFile('kubectl', ['--request-timeout=20s', ...args], { env, timeout: 30_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

interface Item {
  metadata: { name: string };
  spec?: { nodeName?: string };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

async function items(home: string, kubeconfig: string, args: string[]): Promise<Item[]> {
  const r = await kubectl(home, kubeconfig, ['get', ...args, '-o', 'json']);
  if (r.code !== 0) return [];
  return (JSON.parse(r.stdout) as { items: Item[] }).items;
}

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: 'spread' } },
  spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
});

test('a control plane and two node processes on one NATS: nodes Ready, pods Running on every node', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-multiprocess-'));
  dirs.push(dir);
  nats = await startNatsServer({
    config: natsServerConfig({
      users: [
        { identity: 'control-plane', password: PASS.cp },
        { identity: 'node-a', password: PASS.a },
        { identity: 'nodes', password: PASS.nodes },
      ],
    }),
  });

  const up = start(['up', '--bus', nats.url, '--nodes', '0', '--storage', 'memory', '--data-dir', dir, '--port', '0'], { KUBEACTOR_NATS_PASS: PASS.cp });
  await up.waitFor('ready.', 30_000);
  const kubeconfig = /kubeconfig: (\S+)/.exec(up.output())?.[1];
  assert.ok(kubeconfig, `up printed its kubeconfig:\n${up.output()}`);

  // One after the other: each node process allocates addresses from the Nodes registered before it.
  const nodeA = start(['node', '--bus', nats.url, '--name', 'a', '--nats-pass', PASS.a, '--default-runtime', 'sim']);
  await nodeA.waitFor('ready.', 30_000);
  assert.match(nodeA.output(), `kubeactor node: bus: NATS ${nats.url} (prefix kubeactor, identity node-a)`);
  assert.match(nodeA.output(), `kubeactor node: 1 kubelet (a) joined NATS ${nats.url}`);
  const nodeB = start(['node', '--bus', nats.url, '--name', 'b', '--count', '2', '--default-runtime', 'sim'], { KUBEACTOR_NATS_PASS: PASS.nodes });
  await nodeB.waitFor('ready.', 30_000);
  assert.match(nodeB.output(), 'identity nodes)');
  assert.match(nodeB.output(), `kubeactor node: 2 kubelets (b-1, b-2) joined NATS ${nats.url}`);

  const ready = async () => {
    const nodes = await items(dir, kubeconfig, ['nodes']);
    return NODES.every((n) => nodes.find((x) => x.metadata.name === n)?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  };
  await eventually(ready, { timeoutMs: 30_000, intervalMs: 50, detail: async () => `all three nodes Ready:\n${(await kubectl(dir, kubeconfig, ['get', 'nodes'])).stdout}` });

  // Six unbound pods, created through the API (kubectl create -f, one document each).
  const pods = [1, 2, 3, 4, 5, 6].map((i) => pod(`p-${i}`));
  const created = await kubectl(dir, kubeconfig, ['create', '-f', '-'], pods.map((p) => stringify(p)).join('---\n'));
  assert.is(created.code, 0, created.stderr);

  const running = async () => {
    const got = await items(dir, kubeconfig, ['pods', '-l', 'app=spread']);
    return got.length === pods.length && got.every((p) => p.status?.phase === 'Running');
  };
  await eventually(running, { timeoutMs: 30_000, intervalMs: 50, what: 'every pod Running', detail: async () => {
    const wide = await kubectl(dir, kubeconfig, ['get', 'pods', '-o', 'wide']);
    return wide.stdout + wide.stderr;
  } });
  const wide = await kubectl(dir, kubeconfig, ['get', 'pods', '-o', 'wide']);
  const got = await items(dir, kubeconfig, ['pods', '-l', 'app=spread']);
  // The scheduler spreads them (LeastAllocated scores an emptier node higher): every node process runs some.
  for (const n of NODES) assert.ok(got.some((p) => p.spec?.nodeName === n), `a pod landed on ${n}:\n${wide.stdout}`);
  // Each node's pods got IPs from that node's own pod range: three distinct ranges.
  const ranges = new Set(got.map((p) => p.status?.podIP?.split('.').slice(0, 3).join('.')));
  assert.is(ranges.size, 3, `pod IPs from three ranges: ${[...ranges].join(', ')}`);

  // kubectl exec reaches a pod in another process: streams and exit codes travel over NATS.
  const target = got.find((p) => p.spec?.nodeName === 'b-1')!.metadata.name;
  const cat = await kubectl(dir, kubeconfig, ['exec', '-i', target, '--', 'cat'], 'over nats\n');
  assert.equal([cat.code, cat.stdout], [0, 'over nats\n'], cat.stderr);
  const exit3 = await kubectl(dir, kubeconfig, ['exec', target, '--', 'sh', '-c', 'exit 3']);
  assert.equal([exit3.code, exit3.stderr.trim()], [3, 'command terminated with exit code 3']);

  // A node identity claims only its own kubelet: node-a cannot run node c.
  const forged = start(['node', '--bus', nats.url, '--name', 'c', '--nats-identity', 'node-a', '--nats-pass', PASS.a, '--default-runtime', 'sim']);
  const forgedExit = new Promise<number | null>((r) => forged.child.once('close', (code) => r(code)));
  assert.is(await forgedExit, 1);
  assert.match(forged.output(), 'may not hold address "kubelet.c"');

  // Graceful stop of every process, nodes first.
  assert.is(await stopWithin(nodeB, 'SIGTERM'), 0, nodeB.output().slice(-2000));
  assert.match(nodeB.output(), 'SIGTERM: stopping');
  assert.is(await stopWithin(nodeA, 'SIGTERM'), 0, nodeA.output().slice(-2000));

  // A restarted node process adopts its Node with the same InternalIP and pod range.
  const addressOf = (out: string) => /a: InternalIP (\S+), pod range (\S+)/.exec(out)?.slice(1);
  const again = start(['node', '--bus', nats.url, '--name', 'a', '--nats-pass', PASS.a, '--default-runtime', 'sim']);
  await again.waitFor('ready.', 30_000);
  assert.ok(addressOf(nodeA.output()));
  assert.equal(addressOf(again.output()), addressOf(nodeA.output()));
  assert.is(await stopWithin(again, 'SIGTERM'), 0, again.output().slice(-2000));
  assert.is(await stopWithin(up, 'SIGTERM'), 0, up.output().slice(-2000));
});

test.after(async () => {
  await Promise.all(procs.map((p) => stopWithin(p, 'SIGTERM', 5000)));
  await nats?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
