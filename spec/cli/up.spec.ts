import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { startNatsServer } from '../helpers/nats-server.ts';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const dirs: string[] = [];
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
  assert.match(bad.stderr, '--storage must be lmdb or memory');
  const unknown = spawnSync(process.execPath, [BIN, 'frobnicate'], { encoding: 'utf8' });
  assert.is(unknown.status, 2);
  assert.match(unknown.stderr, 'unknown command "frobnicate"');
});

test('up on the in-process bus with lmdb: ready, stops on SIGTERM, and the store survives a restart', async () => {
  const dir = tempDir();
  const first = runCli(['up', '--data-dir', dir, '--port', '0', '--nodes', '0']);
  await first.waitFor('ready.');
  assert.match(first.output(), 'bus: in-process');
  assert.match(first.output(), `lmdb at ${dir}/kv`);
  assert.is(await first.stop('SIGTERM'), 0);
  assert.match(first.output(), 'SIGTERM: stopping');
  const rev = Number(/revision (\d+)/.exec(first.output())?.[1]);
  assert.ok(rev > 0, 'the first boot wrote the system namespaces');

  const second = runCli(['up', '--data-dir', dir, '--port', '0', '--nodes', '0']);
  await second.waitFor('ready.');
  // The namespaces exist already: a second boot writes nothing new, so the revision is unchanged.
  assert.match(second.output(), `(revision ${rev})`);
  assert.is(await second.stop('SIGINT'), 0);
});

test('up --bus nats:// refuses in-process nodes: they need their own identity', () => {
  const r = spawnSync(process.execPath, [BIN, 'up', '--bus', 'nats://127.0.0.1:1', '--nodes', '2'], { encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.match(r.stderr, 'run nodes in their own process with `kubeactor node');
});

test('up --bus nats:// runs the control plane over a real nats-server', async () => {
  const nats = await startNatsServer();
  try {
    const proc = runCli(['up', '--storage', 'memory', '--data-dir', tempDir(), '--port', '0', '--bus', nats.url]);
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

test.run();
