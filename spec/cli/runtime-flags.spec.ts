import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin, type CliProcess } from '../helpers/cli.ts';
import { kubectlAt } from '../helpers/kubectl.ts';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kubeactor-rtflags-'));
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });

test('a node whose default runtime is process refuses to start without bubblewrap, saying what to install', () => {
  const noBwrap = { KUBEACTOR_BWRAP: join(dir, 'no-such-bwrap') };
  const up = cli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--default-runtime', 'process'], noBwrap);
  assert.is(up.status, 1);
  assert.match(up.stderr, '--default-runtime process: the process runtime needs bubblewrap (bwrap), which is not installed on this node: install it (Debian/Ubuntu: apt-get install bubblewrap');
  const node = cli(['node', '--bus', 'nats://127.0.0.1:4', '--name', 'n1', '--default-runtime', 'process'], noBwrap);
  assert.is(node.status, 1);
  assert.match(node.stderr, 'apt-get install bubblewrap');
});

test('without --default-runtime, pods are real when bubblewrap works and sim, said, when it does not', async () => {
  const claims = { KUBEACTOR_CIDR_CLAIMS: join(dir, 'claims') };
  const withBwrap = runCli(['up', '--storage', 'memory', '--data-dir', join(dir, 'a'), '--port', '0', '--nodes', '1'], claims);
  const without = runCli(['up', '--storage', 'memory', '--data-dir', join(dir, 'b'), '--port', '0', '--nodes', '1'], { ...claims, KUBEACTOR_BWRAP: join(dir, 'no-such-bwrap') });
  try {
    await Promise.all([withBwrap.waitFor('ready.', 30_000), without.waitFor('ready.', 30_000)]);
    assert.match(withBwrap.output(), /nodes: node-1 \(default runtime process; RuntimeClasses sim and process; pod range 127\.24[34]\.0\.0\/16\)/);
    assert.match(without.output(), /nodes: node-1 \(default runtime sim; RuntimeClasses sim and process; pod range 127\.24[34]\.0\.0\/16\)/);
    assert.match(without.output(), 'warning: pods default to the sim runtime (no processes): the process runtime needs bubblewrap (bwrap)');
    // Two clusters on one host: each gets its own pod range, so process pods' IPs cannot collide.
    const range = (p: CliProcess) => /pod range (\S+)\)/.exec(p.output())?.[1];
    assert.not.equal(range(withBwrap), range(without));
    // … and its own node addresses, so their NodePorts cannot collide either.
    const nodeIP = (d: string) => kubectlAt(join(dir, d, 'kubeconfig'), dir)('get', 'node', 'node-1', '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
    const ips = await Promise.all([nodeIP('a'), nodeIP('b')]);
    assert.match(ips[0], /^127\.\d+\.1\.1$/);
    assert.not.equal(ips[0], ips[1]);
  } finally {
    assert.is(await stopWithin(withBwrap, 'SIGTERM'), 0);
    assert.is(await stopWithin(without, 'SIGTERM'), 0);
  }
  // A restarted cluster gets its range back.
  const again = runCli(['up', '--storage', 'memory', '--data-dir', join(dir, 'b'), '--port', '0', '--nodes', '1', '--default-runtime', 'sim'], claims);
  try {
    await again.waitFor('ready.', 30_000);
    assert.match(again.output(), `pod range ${readFileSync(join(dir, 'b', 'pod-cidr'), 'utf8').trim()})`);
  } finally {
    assert.is(await stopWithin(again, 'SIGTERM'), 0);
  }
});

test('bad runtime flags are usage errors', () => {
  const bad = cli(['up', '--default-runtime', 'runc']);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, '--default-runtime must be sim or process, got "runc"');
  const map = join(dir, 'images.yaml');
  writeFileSync(map, 'nginx:*:\n  args: [x]\n');
  const images = cli(['up', '--images', map]);
  assert.is(images.status, 2);
  assert.match(images.stderr, `--images: ${map}: nginx:*: command must be a non-empty list of strings`);
  const cidr = cli(['up', '--cluster-cidr', '127.244.0.0/99']);
  assert.is(cidr.status, 2);
  assert.match(cidr.stderr, '--cluster-cidr: invalid IPv4 CIDR "127.244.0.0/99"');
  const lb = cli(['up', '--load-balancer-cidr', '127.0.2.0']);
  assert.is(lb.status, 2);
  assert.match(lb.stderr, '--load-balancer-cidr: invalid IPv4 CIDR "127.0.2.0"');
  assert.match(cli(['up', '--help']).stdout, '--default-runtime sim|process');
  rmSync(dir, { recursive: true, force: true });
});

test.run();
