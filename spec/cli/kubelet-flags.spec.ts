import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });

test('up and node both take kubelet\'s --sync-frequency and --allowed-host-paths', () => {
  for (const cmd of ['up', 'node']) {
    const help = cli([cmd, '--help']).stdout;
    assert.match(help, '--sync-frequency D', cmd);
    assert.match(help, '--allowed-host-paths LIST', cmd);
    assert.match(help, '--kubelet-events=false', cmd);
  }
});

test('a bad --sync-frequency is a usage error', () => {
  const bad = cli(['up', '--sync-frequency', 'often']);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, '--sync-frequency must be a duration like 50s or 1m30s, got "often"');
  const zero = cli(['node', '--bus', 'nats://127.0.0.1:4', '--name', 'n1', '--sync-frequency', '0s']);
  assert.is(zero.status, 2);
  assert.match(zero.stderr, '--sync-frequency must be greater than 0');
});

test('--kubelet-events takes true or false', () => {
  const bad = cli(['up', '--kubelet-events', 'no']);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, '--kubelet-events must be true or false, got "no"');
});

test.run();
