import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli, stopWithin, type CliProcess } from '../helpers/cli.ts';
import { freePort, startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import { kubectlAt } from '../helpers/kubectl.ts';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'kubeactor-upjs-'));

/** Stops `p` with SIGTERM: a clean exit, and the PID is gone. */
async function stopAndCheckGone(p: CliProcess): Promise<void> {
  const pid = p.child.pid!;
  assert.is(await stopWithin(p, 'SIGTERM'), 0);
  assert.throws(() => process.kill(pid, 0), /ESRCH/, `process ${pid} is gone`);
}

/** `n` free ports in a row (the generated configs number their ports from a base). */
async function freeRun(n: number): Promise<number> {
  for (;;) {
    const base = await freePort();
    const next = await Promise.all(Array.from({ length: n - 1 }, () => freePort()));
    if (base + n < 65000 && next.every((p) => p < base || p >= base + n)) return base;
  }
}

test('nats-config --cluster 3 → three nats-servers; up --storage jetstream --storage-replicas 3 stores there, and a restart comes back with every object', async () => {
  const dir = join(home, 'nats');
  const [client, route] = [await freeRun(3), await freeRun(3)];
  const gen = spawnSync(process.execPath, [BIN, 'nats-config', '--cluster', '3', '--dir', dir, '--port', String(client), '--route-port', String(route), '--user', 'control-plane:cp-pass'], { encoding: 'utf8' });
  assert.is(gen.status, 0, gen.stderr);
  assert.match(gen.stdout, '--storage jetstream --storage-replicas 3');
  const servers: NatsServerHandle[] = [];
  try {
    for (let i = 0; i < 3; i++) servers.push(await startNatsServer({ config: readFileSync(join(dir, `n${i + 1}.conf`), 'utf8'), port: client + i }));
    const bus = servers.map((s) => s.url).join(',');
    const data = join(home, 'data');
    const kubectl = kubectlAt(join(data, 'kubeconfig'), home);
    const args = ['up', '--data-dir', data, '--port', '0', '--nodes', '0', '--bus', bus, '--nats-pass', 'cp-pass', '--storage', 'jetstream:kube', '--storage-replicas', '3'];
    const first = runCli(args);
    await first.waitFor('ready.', 60_000);
    assert.match(first.output(), 'kv: JetStream KV bucket kube (stream KV_kube, R3, file storage)');
    await kubectl('create', 'configmap', 'kept', '--from-literal=a=1');
    await kubectl('create', 'namespace', 'team-a');
    await stopAndCheckGone(first);

    const second = runCli(args);
    await second.waitFor('ready.', 60_000);
    assert.not.match(second.output(), /\(revision 0\)/);
    assert.is(await kubectl('get', 'configmap', 'kept', '-o', 'jsonpath={.data.a}'), '1');
    assert.match(await kubectl('get', 'namespace', 'team-a', '-o', 'name'), 'namespace/team-a');
    await stopAndCheckGone(second);

    const bad = spawnSync(process.execPath, [BIN, 'up', '--storage', 'jetstream', '--data-dir', data], { encoding: 'utf8' });
    assert.is(bad.status, 2);
    assert.match(bad.stderr, '--storage jetstream needs --bus nats://');
  } finally {
    const pids = servers.map((s) => s.pid);
    await Promise.all(servers.map((s) => s.stop()));
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `nats-server ${pid} is gone`);
  }
});

test.after(() => rmSync(home, { recursive: true, force: true }));
test.run();
