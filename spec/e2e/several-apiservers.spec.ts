/**
 * Two `kubeactor up --role apiserver` processes on one etcd and one nats-server, each with
 * its own kv gate, watch cache and HTTPS front. A watch through the second sees what the
 * first writes (one store); after the first is SIGKILLed, the second's clients see no error
 * and the watch goes on. Every process is stopped by PID and checked gone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { natsServerConfig } from '../../bus/nats/server-config.ts';
import { runCli, stopWithin, type CliProcess } from '../helpers/cli.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import { etcdLeftovers, startEtcd, type EtcdCluster } from '../helpers/etcd.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { processesNaming } from '../helpers/processes.ts';
import { eventually } from '../helpers/wait.ts';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const PASS = 'api-secret';
const procs: CliProcess[] = [];
const dirs: string[] = [];
let nats: NatsServerHandle | undefined;
let etcd: EtcdCluster | undefined;
let watch: ChildProcess | undefined;

process.on('exit', () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null && p.child.pid) process.kill(p.child.pid, 'SIGKILL');
  if (watch?.pid && watch.exitCode === null) process.kill(watch.pid, 'SIGKILL');
});

const cm = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { a: '1' } });

test('two apiservers on one etcd: a client of the survivor sees no error when the other is SIGKILLed, and its watch continues', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-apiservers-'));
  dirs.push(dir);
  etcd = await startEtcd();
  nats = await startNatsServer({ config: natsServerConfig({ users: [{ identity: 'apiserver', password: PASS }] }) });
  const args = ['up', '--role', 'apiserver', '--storage', etcd.storage, '--port', '0', '--bus', nats.url, '--data-dir', dir];
  const start = () => {
    const p = runCli(args, { KUBEACTOR_NATS_PASS: PASS });
    procs.push(p);
    return p;
  };
  const a = start();
  await a.waitFor('ready', 30_000);
  // One after the other: the second reads the first's token and CA from the shared data directory.
  const b = start();
  await b.waitFor('ready', 30_000);
  assert.match(b.output(), 'one of several');

  const listed = spawnSync(process.execPath, [BIN, 'kubeconfigs', '--data-dir', dir], { encoding: 'utf8' }).stdout.trim().split('\n');
  const kcA = /kubeconfig: (\S+)/.exec(a.output())![1]!;
  const kcB = /kubeconfig: (\S+)/.exec(b.output())![1]!;
  assert.equal(listed, [kcA, kcB].sort());
  const ka = kubectlAt(kcA, dir);
  const kb = kubectlAt(kcB, dir);

  // A watch through the second apiserver.
  let seen = '';
  let errors = '';
  watch = spawn('kubectl', ['--kubeconfig', kcB, 'get', 'configmaps', '-n', 'default', '-w', '-o', 'name'], { env: { ...process.env, HOME: dir } });
  watch.stdout!.on('data', (d: Buffer) => (seen += d.toString()));
  watch.stderr!.on('data', (d: Buffer) => (errors += d.toString()));

  // What the first writes, the second's watch shows: one store.
  const r1 = await ka.run(['create', '-f', '-'], cm('from-a'));
  assert.is(r1.code, 0, r1.err);
  await eventually(() => seen.includes('configmap/from-a'), { timeoutMs: 15_000, what: 'the watch through B sees the write through A', detail: () => seen + errors });

  // SIGKILL the first apiserver.
  process.kill(a.child.pid!, 'SIGKILL');
  await a.exited();
  const r2 = await kb.run(['create', '-f', '-'], cm('from-b'));
  assert.is(r2.code, 0, r2.err);
  await eventually(() => seen.includes('configmap/from-b'), { timeoutMs: 15_000, what: 'the watch through B goes on', detail: () => seen + errors });
  const names = (await kb('get', 'configmaps', '-n', 'default', '-o', 'name')).split('\n');
  assert.ok(names.includes('configmap/from-a') && names.includes('configmap/from-b'), names.join(' '));
  assert.is(watch.exitCode, null, 'the watch is still open');
  assert.is(errors, '', 'the watch saw no error');

  watch.kill('SIGTERM');
  assert.is(await stopWithin(b, 'SIGTERM'), 0, b.output().slice(-2000));
  // The stopped apiserver removed its kubeconfig; the killed one's stays behind.
  assert.equal(spawnSync(process.execPath, [BIN, 'kubeconfigs', '--data-dir', dir], { encoding: 'utf8' }).stdout.trim(), kcA);
  assert.equal(processesNaming(dir), []);
});

test.after(async () => {
  if (watch?.pid && watch.exitCode === null) watch.kill('SIGKILL');
  await Promise.all(procs.map((p) => stopWithin(p, 'SIGTERM', 5000)));
  await nats?.stop();
  await etcd?.stop();
  assert.equal(etcdLeftovers(), []);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
