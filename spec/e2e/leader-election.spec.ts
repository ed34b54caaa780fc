/**
 * Replicated components over NATS with real processes: `kubeactor up --role apiserver`
 * (lmdb store), two `--role scheduler` processes, one `--role controller-manager`, and a
 * `kubeactor node` process with two sim nodes, each process as its own NATS identity.
 *
 * One scheduler leads (it holds kube-system/kube-scheduler), the other stands by and does
 * nothing. The leader is SIGKILLed while pods are being created: the standby takes the
 * Lease once the dead leader's record has gone unrenewed for leaseDuration, every pod gets
 * bound, and none twice (one Scheduled event each, no failed second binding). A second
 * apiserver on lmdb storage is refused; after everything stops, an apiserver restarted on
 * the same store has every object back. Every process is stopped by PID and checked gone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { natsServerConfig } from '../../bus/nats/server-config.ts';
import { runCli, stopWithin, type CliProcess } from '../helpers/cli.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import { kubectlAt, type Kubectl } from '../helpers/kubectl.ts';
import { processesNaming } from '../helpers/processes.ts';
import { eventually } from '../helpers/wait.ts';

const PASS = { apiserver: 'api-secret', scheduler: 'sched-secret', kcm: 'kcm-secret', nodes: 'nodes-secret' };

const procs: CliProcess[] = [];
const dirs: string[] = [];
let nats: NatsServerHandle | undefined;

process.on('exit', () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null && p.child.pid) process.kill(p.child.pid, 'SIGKILL');
});

function start(args: string[], pass: string): CliProcess {
  const p = runCli(args, { KUBEACTOR_NATS_PASS: pass });
  procs.push(p);
  return p;
}

/** `kubectl get … -o json`, undefined when kubectl fails. */
async function json<T>(k: Kubectl, args: string[]): Promise<T | undefined> {
  const r = await k.run(['get', ...args, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.out) as T) : undefined;
}

interface Pod { metadata: { name: string }; spec?: { nodeName?: string } }
interface Lease { spec?: { holderIdentity?: string; acquireTime?: string; renewTime?: string; leaseTransitions?: number } }
interface Ev { reason: string; message: string; involvedObject: { name: string } }

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: 'ha' } },
  spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
});

const identityOf = (p: CliProcess) => /\(identity ([^)\s]+)\)/.exec(p.output().split('\n').find((l) => l.includes('a candidate for its Lease')) ?? '')?.[1];

test('kill the leading scheduler while pods are created: the standby leads within leaseDuration + 2 retryPeriods, no pod bound twice; restart from the store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-leader-'));
  dirs.push(dir);
  nats = await startNatsServer({
    config: natsServerConfig({
      users: [
        { identity: 'apiserver', password: PASS.apiserver },
        { identity: 'scheduler', password: PASS.scheduler },
        { identity: 'controller-manager', password: PASS.kcm },
        { identity: 'nodes', password: PASS.nodes },
      ],
    }),
  });
  const common = ['--bus', nats.url, '--data-dir', dir];
  const api = start(['up', '--role', 'apiserver', '--storage', 'lmdb', '--port', '0', ...common], PASS.apiserver);
  await api.waitFor('ready', 30_000);
  const kubeconfig = /kubeconfig: (\S+)/.exec(api.output())?.[1];
  assert.ok(kubeconfig, api.output());
  const k = kubectlAt(kubeconfig, dir);

  // lmdb is one process's store: a second apiserver on the bus is refused, with the reason.
  const second = start(['up', '--role', 'apiserver', '--storage', 'lmdb', '--port', '0', ...common], PASS.apiserver);
  assert.is(await second.exited(), 1);
  assert.match(second.output(), 'allows one apiserver');

  const s1 = start(['up', '--role', 'scheduler', ...common], PASS.scheduler);
  await s1.waitFor('leading kube-scheduler', 30_000);
  const s2 = start(['up', '--role', 'scheduler', ...common], PASS.scheduler);
  await s2.waitFor('ready.', 30_000);
  const kcm = start(['up', '--role', 'controller-manager', ...common], PASS.kcm);
  await kcm.waitFor('leading kube-controller-manager', 30_000);
  const nodes = start(['node', '--bus', nats.url, '--name', 'w', '--count', '2', '--default-runtime', 'sim', '--data-dir', dir], PASS.nodes);
  await nodes.waitFor('ready.', 30_000);

  const lease = async () => (await json<Lease>(k, ['lease', '-n', 'kube-system', 'kube-scheduler']))?.spec;
  assert.is((await lease())?.holderIdentity, identityOf(s1));
  assert.ok(identityOf(s2) && identityOf(s2) !== identityOf(s1));

  const create = async (from: number, to: number) => {
    const docs = [];
    for (let i = from; i <= to; i++) docs.push(stringify(pod(`p-${i}`)));
    const r = await k.run(['create', '-f', '-'], docs.join('---\n'));
    assert.is(r.code, 0, r.err);
  };
  await create(1, 5);
  const bound = async (n: number) => {
    const list = await json<{ items: Pod[] }>(k, ['pods', '-l', 'app=ha']);
    return list !== undefined && list.items.length === n && list.items.every((p) => p.spec?.nodeName);
  };
  await eventually(() => bound(5), { timeoutMs: 30_000, intervalMs: 100, what: 'the first five pods bound by the leader' });
  // The standby has done nothing: it never led.
  assert.not.match(s2.output(), 'leading kube-scheduler');

  // SIGKILL the leader, and keep creating pods while nobody schedules.
  const killedAt = Date.now();
  process.kill(s1.child.pid!, 'SIGKILL');
  await s1.exited();
  // The dead leader's last renewal, read after its death.
  const lastRenew = Date.parse((await lease())!.renewTime!);
  await create(6, 10);
  await new Promise((r) => setTimeout(r, 1000));
  await create(11, 15);
  await s2.waitFor('leading kube-scheduler', 30_000);
  const tookOver = Date.now() - killedAt;
  const l = (await lease())!;
  assert.is(l.holderIdentity, identityOf(s2));
  assert.is(l.leaseTransitions, 1);
  const sinceRenew = Date.parse(l.acquireTime!) - lastRenew;
  console.log(`takeover: ${tookOver} ms after SIGKILL, ${sinceRenew} ms after the dead leader's last renewal`);
  // The standby saw the last renewal at its next try (≤ 2 s later), waited leaseDuration (15 s), took the lock at its next try.
  assert.ok(sinceRenew > 15_000 && sinceRenew <= 15_000 + 2 * 2_000 + 1_000, `lease taken ${sinceRenew} ms after the last renewal`);
  assert.ok(tookOver <= 15_000 + 2 * 2_000 + 1_000, `the standby led ${tookOver} ms after the kill`);

  await eventually(() => bound(15), { timeoutMs: 30_000, intervalMs: 100, what: 'every pod bound after the takeover' });
  const events = (await json<{ items: Ev[] }>(k, ['events', '-n', 'default']))!.items;
  for (let i = 1; i <= 15; i++) {
    const scheduled = events.filter((e) => e.involvedObject.name === `p-${i}` && e.reason === 'Scheduled');
    assert.is(scheduled.length, 1, `p-${i} was bound once: ${JSON.stringify(scheduled)}`);
  }
  assert.not.ok(events.some((e) => e.reason === 'FailedScheduling' && /already assigned/.test(e.message)), 'no second binding was tried');
  const le = (await json<{ items: Ev[] }>(k, ['events', '-n', 'kube-system']))!.items.filter((e) => e.reason === 'LeaderElection' && e.involvedObject.name === 'kube-scheduler');
  assert.equal(le.map((e) => e.message).sort(), [`${identityOf(s1)} became leader`, `${identityOf(s2)} became leader`].sort());

  // Stop everything by PID, then bring the apiserver back on the same store: every object is there.
  for (const p of [nodes, kcm, s2, api]) assert.is(await stopWithin(p, 'SIGTERM'), 0, p.output().slice(-2000));
  const again = start(['up', '--role', 'apiserver', '--storage', 'lmdb', '--port', '0', ...common], PASS.apiserver);
  await again.waitFor('ready', 30_000);
  const k2 = kubectlAt(/kubeconfig: (\S+)/.exec(again.output())?.[1]!, dir);
  const back = await json<{ items: Pod[] }>(k2, ['pods', '-l', 'app=ha']);
  assert.is(back?.items.length, 15);
  assert.ok(back!.items.every((p) => p.spec?.nodeName));
  const heldBy = (await json<Lease>(k2, ['lease', '-n', 'kube-system', 'kube-scheduler']))?.spec;
  // The standby released the lock when it stopped cleanly (ReleaseOnCancel).
  assert.is(heldBy?.holderIdentity, undefined);
  assert.is(await stopWithin(again, 'SIGTERM'), 0);
  // Every process this spec started (each names the data dir) is gone.
  assert.equal(processesNaming(dir), []);
});

test.after(async () => {
  await Promise.all(procs.map((p) => stopWithin(p, 'SIGTERM', 5000)));
  await nats?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
