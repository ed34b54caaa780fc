import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { startNatsServer } from '../helpers/nats-server.ts';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kubeactor-natscfg-'));

function natsConfig(...args: string[]) {
  return spawnSync(process.execPath, [BIN, 'nats-config', ...args], { encoding: 'utf8' });
}

test('nats-config prints users whose permissions keep everyone but the control plane away from the kv actor', () => {
  const r = natsConfig('--prefix', 'c1', '--user', 'control-plane:pw', '--user', 'node-a:pa');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, 'user: "control-plane"');
  assert.match(r.stdout, 'user: "node-a"');
  assert.match(r.stdout, '"c1.a.node-a.>"');
  assert.match(r.stdout, /deny: \["c1\.a\.\*\.kv"\]/);
  const bad = natsConfig('--user', 'no.dots:x');
  assert.is(bad.status, 2);
  assert.match(bad.stderr, 'is not an identity');
});

test('up connects with the generated credentials, and a wrong password is refused', async () => {
  const cfg = natsConfig('--user', 'control-plane:right').stdout;
  const nats = await startNatsServer({ config: cfg });
  try {
    const wrong = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '0', '--bus', nats.url], { KUBEACTOR_NATS_PASS: 'wrong' });
    const code = await wrong.exited();
    assert.ok(code !== 0, 'up exits with an error');
    assert.match(wrong.output(), /authorization/i);
    assert.not.match(wrong.output(), 'ready.');

    const ok = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '0', '--bus', nats.url, '--nats-pass', 'right']);
    await ok.waitFor('ready.');
    assert.is(await ok.stop(), 0);
  } finally {
    await nats.stop();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
