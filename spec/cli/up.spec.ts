import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { startNatsServer } from '../helpers/nats-server.ts';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const dirs: string[] = [];
const run = promisify(execFile);
/** The real kubectl, asynchronously (the cluster runs in a child process, but a blocking call would still stall this one's pipes). */
async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], { env: { ...process.env, HOME: dirs[0] ?? tmpdir() } });
  return stdout.trim();
}
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kubeactor-up-'));
  dirs.push(d);
  return d;
};

test('--help lists the commands, and a bad flag is a usage error with exit code 2', () => {
  const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  assert.is(help.status, 0);
  assert.match(help.stdout, 'kubeactor up');
  const bad = spawnSync(process.execPath, [BIN, 'up', '--storage', 'floppy'], { encoding: 'utf8' });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, '--storage must be lmdb, memory, etcd://HOST:PORT[,HOST:PORT…] or jetstream[:BUCKET], got "floppy"');
  const wide = spawnSync(process.execPath, [BIN, 'up', '--service-cluster-ip-range', '127.0.0.0/8'], { encoding: 'utf8' });
  assert.is(wide.status, 2);
  assert.match(wide.stderr, 'specified --service-cluster-ip-range is too large; for 32-bit addresses, the mask must be >= 12');
  const unknown = spawnSync(process.execPath, [BIN, 'frobnicate'], { encoding: 'utf8' });
  assert.is(unknown.status, 2);
  assert.match(unknown.stderr, 'unknown command "frobnicate"');
});

test('up on the in-process bus with lmdb: ready, stops on SIGTERM, and what kubectl stored survives a restart', async () => {
  const dir = tempDir();
  const first = runCli(['up', '--data-dir', dir, '--port', '0', '--nodes', '0']);
  await first.waitFor('ready.');
  assert.match(first.output(), 'bus: in-process');
  assert.match(first.output(), `lmdb at ${dir}/kv`);
  const kubeconfig = `${dir}/kubeconfig`;
  assert.match(first.output(), `kubeconfig: ${kubeconfig}`);
  assert.match(await kubectl(kubeconfig, 'create', 'configmap', 'kept', '--from-literal=k=v'), 'configmap/kept created');
  assert.is(await first.stop('SIGTERM'), 0);
  assert.match(first.output(), 'SIGTERM: stopping');

  const second = runCli(['up', '--data-dir', dir, '--port', '0', '--nodes', '0']);
  await second.waitFor('ready.');
  // The same data directory: the store, the CA and the token carry over, so the old kubeconfig still works.
  assert.is(await kubectl(kubeconfig, 'get', 'configmap', 'kept', '-o', 'jsonpath={.data.k}'), 'v');
  assert.is(await second.stop('SIGINT'), 0);
});

test('up --print-env prints only the shell assignments on stdout, and a shell that sources them reaches the cluster', async () => {
  const dir = tempDir();
  const up = runCli(['up', '--data-dir', dir, '--storage', 'memory', '--port', '0', '--nodes', '0', '--print-env']);
  let stdout = '';
  up.child.stdout!.on('data', (d: Buffer) => (stdout += d));
  await up.waitFor('USE_EXISTING_CLUSTER=true');
  assert.is(stdout, `export KUBECONFIG='${dir}/kubeconfig'\nexport USE_EXISTING_CLUSTER=true\n`);
  assert.match(up.output(), 'kubeactor: ready.', 'the progress lines went to stderr');
  const env = join(dir, 'cluster.env');
  writeFileSync(env, stdout);
  const { stdout: got } = await run('sh', ['-c', `. '${env}' && kubectl --request-timeout=20s get namespace default -o name`], { env: { ...process.env, HOME: dir } });
  assert.is(got.trim(), 'namespace/default');
  assert.is(await up.stop('SIGTERM'), 0);
});

test('the default toleration seconds reach the pods; the Service range is --service-cluster-ip-range; a malformed grace period is a usage error', async () => {
  const dir = tempDir();
  const proc = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '0', '--service-cluster-ip-range', '127.97.0.0/16',
    '--default-not-ready-toleration-seconds', '30', '--default-unreachable-toleration-seconds', '45', '--node-monitor-grace-period', '20s']);
  await proc.waitFor('ready.');
  const kubeconfig = `${dir}/kubeconfig`;
  assert.is(await kubectl(kubeconfig, 'get', 'service', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'), '127.97.0.1');
  await kubectl(kubeconfig, 'run', 'p', '--image=nginx');
  const got = await kubectl(kubeconfig, 'get', 'pod', 'p', '-o', 'jsonpath={range .spec.tolerations[*]}{.key}={.tolerationSeconds} {end}');
  assert.is(got, 'node.kubernetes.io/not-ready=30 node.kubernetes.io/unreachable=45');
  assert.is(await proc.stop(), 0);

  const bad = spawnSync(process.execPath, [BIN, 'up', '--node-monitor-grace-period', 'soon'], { encoding: 'utf8' });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, '--node-monitor-grace-period must be a duration');
});

test('--request-timeout takes a Go duration: a malformed, negative, zero or overlong one is a usage error', () => {
  const cases: [string, string][] = [
    ['abc', '--request-timeout must be a duration like 50s or 1m30s, got "abc"'],
    ['60', '--request-timeout must be a duration like 50s or 1m30s, got "60"'],
    ['-5s', '--request-timeout can not be negative value'],
    ['0', '--request-timeout must be more than 0'],
    ['1000h', '--request-timeout must be at most 596h, got "1000h"'],
  ];
  for (const [value, message] of cases) {
    const r = spawnSync(process.execPath, [BIN, 'up', `--request-timeout=${value}`, '--data-dir', tempDir()], { encoding: 'utf8' });
    assert.is(r.status, 2, value);
    assert.match(r.stderr, message);
    assert.match(r.stderr, 'Usage: kubeactor up', 'the usage follows the error');
  }
  const help = spawnSync(process.execPath, [BIN, 'up', '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, '--request-timeout D');
});

test('up --request-timeout 1m30s starts, and kubectl reads the front\'s /metrics', async () => {
  const dir = tempDir();
  const proc = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '0', '--request-timeout', '1m30s']);
  await proc.waitFor('ready.');
  const metrics = await kubectl(`${dir}/kubeconfig`, 'get', '--raw', '/metrics');
  assert.match(metrics, '# TYPE apiserver_request_total counter');
  assert.match(metrics, /kubeactor_bus_rejected_total\{cause="forged"\} 0/);
  assert.is(await proc.stop(), 0);
});

test('up --bus nats:// refuses in-process nodes: they need their own identity', () => {
  const r = spawnSync(process.execPath, [BIN, 'up', '--bus', 'nats://127.0.0.1:1', '--nodes', '2'], { encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.match(r.stderr, 'run nodes in their own process with `kubeactor node');
});

test('up --bus nats:// runs the control plane over a real nats-server', async () => {
  const nats = await startNatsServer();
  try {
    // A server without authorization: refused unless --insecure-bus (spec/cli/insecure-bus.spec.ts).
    const proc = runCli(['up', '--storage', 'memory', '--data-dir', tempDir(), '--port', '0', '--bus', nats.url, '--insecure-bus']);
    await proc.waitFor('ready.');
    assert.match(proc.output(), `bus: NATS ${nats.url} (prefix kubeactor, identity control-plane)`);
    assert.match(proc.output(), /kubeconfig: .*kubeconfig/);
    assert.not.match(proc.output(), 'nodes:', 'over NATS, nodes run in their own processes');
    assert.is(await proc.stop(), 0);
  } finally {
    await nats.stop();
  }
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('--horizontal-pod-autoscaler-sync-period takes a Go duration above 0', () => {
  for (const [value, message] of <[string, string][]>[['soon', '--horizontal-pod-autoscaler-sync-period must be a duration like 50s or 1m30s, got "soon"'], ['0s', '--horizontal-pod-autoscaler-sync-period must be more than 0']]) {
    const r = spawnSync(process.execPath, [BIN, 'up', `--horizontal-pod-autoscaler-sync-period=${value}`, '--data-dir', tempDir()], { encoding: 'utf8' });
    assert.is(r.status, 2, value);
    assert.match(r.stderr, message);
  }
});

test.run();
