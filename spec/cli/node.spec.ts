import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nodeNames } from '../../actors/node-process.ts';
import { freePort } from '../helpers/nats-server.ts';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
/** Runs the real command; async, so that the cases of a test can run side by side. */
function kubeactor(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve({ status: err ? (typeof code === 'number' ? code : -1) : 0, stdout, stderr });
    });
  });
}

test('node --help describes the command, its naming and its identities', async () => {
  const [r, viaHelp] = await Promise.all([kubeactor('node', '--help'), kubeactor('help', 'node')]);
  assert.is(r.status, 0);
  assert.match(r.stdout, 'kubeactor node — run kubelets that join a control plane on NATS');
  assert.match(r.stdout, '--bus nats://HOST:PORT');
  assert.match(r.stdout, 'NAME-1 … NAME-K');
  assert.match(r.stdout, 'default node-NAME for one node');
  assert.match(r.stdout, '--record FILE');
  assert.match(r.stdout, 'kubeactor up --record A.log');
  assert.match(r.stdout, /--cluster-dns IP .*\n.*the ClusterIP of the kube-system\/kube-dns Service/);
  assert.is(viaHelp.stdout, r.stdout);
});

test('bad flags are usage errors with exit code 2', async () => {
  const cases: [string[], string][] = [
    [['node', '--name', 'a'], '--bus nats://HOST:PORT is required'],
    [['node', '--bus', 'nats://127.0.0.1:4222'], '--name is required'],
    [['node', '--bus', 'nats://127.0.0.1:4222', '--name', 'a', '--count', '0'], '--count must be at least 1'],
    [['node', '--bus', 'nats://127.0.0.1:4222', '--name', 'a', '--count', 'two'], '--count must be a non-negative integer'],
    [['node', '--bus', 'nats://127.0.0.1:4222', '--name', 'Node_A'], 'node name "Node_A" is not a DNS label'],
    [['node', '--bus', 'http://127.0.0.1:4222', '--name', 'a'], '--bus must be nats://HOST:PORT'],
    [['node', '--bus', 'nats://127.0.0.1:4222', '--name', 'a', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['node', '--bus', 'nats://127.0.0.1:4222', '--name', 'a', 'extra'], 'unexpected argument "extra"'],
    [['node', '--bus', 'nats://127.0.0.1:4222', '--name', 'a', '--cluster-dns', 'dns.local'], '--cluster-dns must be an IPv4 address, got "dns.local"'],
    [['node', '--bus', 'nats://127.0.0.1:4222', '--name', 'a', '--record', 'b.log', '--record-max-size', 'lots'], '--record-max-size must be a size'],
  ];
  // One after the other: eight CLI start-ups at once on a 2-core machine can outlast any timeout.
  const results = [];
  for (const [args] of cases) results.push(await kubeactor(...args));
  for (const [i, [args, message]] of cases.entries()) {
    const r = results[i]!;
    assert.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, 'Usage: kubeactor node');
  }
});

test('--bus inproc is refused with the reason and the alternative', async () => {
  const r = await kubeactor('node', '--bus', 'inproc', '--name', 'a');
  assert.is(r.status, 2);
  assert.match(r.stderr, 'a node process joins a control plane in another process, which needs NATS');
  assert.match(r.stderr, 'kubeactor up --nodes N');
});

test('an unreachable NATS server is an error with exit code 1, not a hang', async () => {
  const port = await freePort();
  const r = await kubeactor('node', '--bus', `nats://127.0.0.1:${port}`, '--name', 'a');
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, 'kubeactor node:');
});

test('node names: NAME for one node, NAME-1 … NAME-K for several', () => {
  assert.equal(nodeNames('a', 1), ['a']);
  assert.equal(nodeNames('rack', 3), ['rack-1', 'rack-2', 'rack-3']);
});

test.run();
