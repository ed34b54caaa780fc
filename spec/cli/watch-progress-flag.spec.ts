import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });

test('up --watch-progress-notify-interval: documented, a Go duration, only over NATS', () => {
  assert.match(cli(['up', '--help']).stdout, '--watch-progress-notify-interval D');
  const local = cli(['up', '--watch-progress-notify-interval', '5s']);
  assert.is(local.status, 2);
  assert.match(local.stderr, '--watch-progress-notify-interval needs --bus nats://…: in one process a watch cannot die silently');
  const bad = cli(['up', '--bus', 'nats://127.0.0.1:4', '--watch-progress-notify-interval', 'often']);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, '--watch-progress-notify-interval must be a duration like 50s or 1m30s, got "often"');
  const negative = cli(['up', '--bus', 'nats://127.0.0.1:4', '--watch-progress-notify-interval=-1s']);
  assert.is(negative.status, 2);
  assert.match(negative.stderr, '--watch-progress-notify-interval can not be negative value');
});

test.run();
