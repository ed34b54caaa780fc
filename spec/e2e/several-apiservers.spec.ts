/**
 * Two `kubeactor up --role apiserver` processes on one etcd and one nats-server, each with
 * its own kv gate, watch cache and HTTPS front. A watch through the second sees what the
 * first writes (one store); after the first is SIGKILLed, the second's clients see no error
 * and the watch goes on.
 *
 * Then the same on one JetStream bucket, with a scheduler, a controller-manager and a node
 * process: each apiserver is SIGKILLed in turn (the first, started again, then the second —
 * which by then serves every component's watch), and a Deployment created through the
 * survivor gets its pods created, bound and Running within the stated bound: the components'
 * informers notice their silent watches (3 heartbeats of 5 s) and watch again on the survivor.
 * Every process is stopped by PID and checked gone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { natsServerConfig, withJetStream } from '../../bus/nats/server-config.ts';
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

interface Pod { metadata: { name: string }; spec?: { nodeName?: string }; status?: { phase?: string } }

/** Seconds from a component's watch being orphaned to its Deployment's pods Running: 3–4 heartbeats of 5 s, then the work. */
const FAILOVER_BOUND_MS = 45_000;

test('two apiservers on one JetStream bucket: SIGKILL each in turn; the components watch again on the survivor and a new Deployment runs within the bound', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-apiservers-js-'));
  dirs.push(dir);
  const pass = { apiserver: PASS, scheduler: 's-secret', kcm: 'c-secret', nodes: 'n-secret' };
  const js = await startNatsServer({
    jetstream: true,
    config: natsServerConfig({
      users: [
        withJetStream({ identity: 'apiserver', password: pass.apiserver }),
        { identity: 'scheduler', password: pass.scheduler },
        { identity: 'controller-manager', password: pass.kcm },
        { identity: 'nodes', password: pass.nodes },
      ],
    }),
  });
  const common = ['--bus', js.url, '--data-dir', dir];
  const run = (args: string[], p: string) => {
    const c = runCli(args, { KUBEACTOR_NATS_PASS: p });
    procs.push(c);
    return c;
  };
  const apiserver = () => run(['up', '--role', 'apiserver', '--storage', 'jetstream', '--port', '0', ...common], pass.apiserver);
  try {
    const a = apiserver();
    await a.waitFor('ready', 60_000);
    const b = apiserver();
    await b.waitFor('ready', 60_000);
    assert.match(b.output(), 'one of several on jetstream');
    assert.match(b.output(), 'kv: JetStream KV bucket kubeactor');
    assert.match(b.output(), 'watches: a BOOKMARK every 5s');
    const kc = (p: CliProcess) => kubectlAt(/kubeconfig: (\S+)/.exec(p.output())![1]!, dir);
    const sched = run(['up', '--role', 'scheduler', ...common], pass.scheduler);
    const kcm = run(['up', '--role', 'controller-manager', ...common], pass.kcm);
    await sched.waitFor('leading kube-scheduler', 60_000);
    await kcm.waitFor('leading kube-controller-manager', 60_000);
    const nodes = run(['node', '--bus', js.url, '--name', 'w', '--count', '2', '--default-runtime', 'sim', '--data-dir', dir], pass.nodes);
    await nodes.waitFor('ready.', 60_000);

    // One store: what is written through A is read through B.
    const r = await kc(a).run(['create', 'configmap', 'through-a', '--from-literal=k=v']);
    assert.is(r.code, 0, r.err);
    await eventually(async () => (await kc(b).run(['get', 'configmap', 'through-a', '-o', 'jsonpath={.data.k}'])).out === 'v', { timeoutMs: 15_000, what: 'B reads what A wrote' });
    // Revisions are the bucket's: the same resourceVersion through either.
    const rv = async (p: CliProcess) => (await kc(p)('get', 'configmap', 'through-a', '-o', 'jsonpath={.metadata.resourceVersion}')).trim();
    assert.is(await rv(b), await rv(a));

    const running = async (k: ReturnType<typeof kc>, app: string, n: number) => {
      const got = await k.run(['get', 'pods', '-l', `app=${app}`, '-o', 'json']);
      if (got.code !== 0) return false;
      const items = (JSON.parse(got.out) as { items: Pod[] }).items;
      return items.length === n && items.every((p) => p.spec?.nodeName && p.status?.phase === 'Running');
    };
    const deploy = async (k: ReturnType<typeof kc>, app: string) => {
      const c = await k.run(['create', 'deployment', app, '--image=nginx:1.27', '--replicas=2']);
      assert.is(c.code, 0, c.err);
    };
    const k0 = kc(b);
    await deploy(k0, 'before');
    await eventually(() => running(k0, 'before', 2), { timeoutMs: 60_000, intervalMs: 250, what: 'a Deployment runs before any kill' });

    const gaps: number[] = [];
    /** SIGKILLs `victim`, creates a Deployment through `survivor`: the time until its two pods run. */
    const killAndDeploy = async (victim: CliProcess, survivor: CliProcess, app: string) => {
      const killedAt = Date.now();
      process.kill(victim.child.pid!, 'SIGKILL');
      await victim.exited();
      const k = kc(survivor);
      await deploy(k, app);
      await eventually(() => running(k, app, 2), { timeoutMs: FAILOVER_BOUND_MS, intervalMs: 250, what: `Deployment ${app} runs after the kill`, detail: () => [sched, kcm, nodes].map((p) => p.output().slice(-1500)).join('\n---\n') });
      gaps.push(Date.now() - killedAt);
    };
    await killAndDeploy(a, b, 'after-a');
    const a2 = apiserver();
    await a2.waitFor('ready', 60_000);
    // B now serves every component's watch: killing it orphans them all.
    await killAndDeploy(b, a2, 'after-b');
    console.log(`from SIGKILL of an apiserver to a new Deployment's pods Running: ${gaps.map((g) => `${(g / 1000).toFixed(1)} s`).join(', ')}`);
    const silent = [sched, kcm, nodes].map((p) => (p.output().match(/watch went silent/g) ?? []).length);
    console.log(`watches taken as dead and watched again (scheduler, controller-manager, nodes): ${silent.join(', ')}`);
    assert.ok(silent.reduce((x, y) => x + y, 0) > 0, 'some component noticed a silent watch');
    // Everything created before and after is there, through the last apiserver.
    const names = (await kc(a2)('get', 'deployments', '-o', 'name')).split('\n').sort();
    assert.equal(names, ['deployment.apps/after-a', 'deployment.apps/after-b', 'deployment.apps/before']);

    for (const p of [nodes, kcm, sched, a2]) assert.is(await stopWithin(p, 'SIGTERM'), 0, p.output().slice(-2000));
    assert.equal(processesNaming(dir), []);
  } finally {
    await Promise.all(procs.map((p) => stopWithin(p, 'SIGTERM', 5000)));
    const pid = js.pid;
    await js.stop();
    assert.throws(() => process.kill(pid, 0), /ESRCH/, `nats-server ${pid} is gone`);
  }
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
