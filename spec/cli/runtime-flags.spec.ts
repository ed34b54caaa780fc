import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

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
  assert.match(cli(['up', '--help']).stdout, '--default-runtime sim|process');
  rmSync(dir, { recursive: true, force: true });
});

test.run();
