import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Event } from 'kubernetes-types/core/v1.js';
import { start, t, type Harness } from '../apiserver/harness.ts';
import { startLeaderElected, type LeaderElected } from '../../../actors/leader-election/start.ts';

let h: Harness;
const started: string[] = [];
const stopped: string[] = [];

test.before.each(async () => {
  h = await start();
  started.length = 0;
  stopped.length = 0;
});
test.after.each(async () => {
  await h.close();
});

/** A candidate for kube-system/kube-scheduler whose "work" is a log line at start and stop. */
function candidate(identity: string, address?: string): LeaderElected {
  return startLeaderElected(h.host, {
    name: 'kube-scheduler',
    identity,
    ...(address ? { address } : {}),
    run: () => {
      started.push(`${identity}@${h.clock.now()}`);
      return { stop: () => void stopped.push(`${identity}@${h.clock.now()}`) };
    },
  });
}

const lease = async () => (await h.client().must('api.get', { target: t.leases('kube-system', 'kube-scheduler') })) as Lease;
const events = async () => ((await h.client().must('api.list', { target: t.events('kube-system') })) as { items: Event[] }).items;

async function advance(ms: number, step = 500): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    await h.clock.advance(Math.min(step, ms - done));
    await h.settle();
  }
}

test('acquire: the first candidate creates the Lease as client-go writes it, leads, and says so in a LeaderElection event', async () => {
  const t0 = h.clock.now();
  const a = candidate('host-a_1');
  await h.settle();
  assert.equal(started, [`host-a_1@${t0}`]);
  assert.ok(a.candidate!.isLeader());
  const l = await lease();
  assert.is(l.spec!.holderIdentity, 'host-a_1');
  assert.is(l.spec!.leaseDurationSeconds, 15);
  assert.is(l.spec!.leaseTransitions, 0);
  assert.is(l.spec!.acquireTime, l.spec!.renewTime);
  assert.match(l.spec!.renewTime!, /\.\d{6}Z$/);
  const e = (await events()).find((x) => x.reason === 'LeaderElection');
  assert.ok(e, 'a LeaderElection event');
  assert.is(e!.message, 'host-a_1 became leader');
  assert.is(e!.type, 'Normal');
  assert.equal([e!.involvedObject.kind, e!.involvedObject.namespace, e!.involvedObject.name], ['Lease', 'kube-system', 'kube-scheduler']);
  await a.stop();
});

test('renew: the leader renews every retryPeriod (2 s), keeping acquireTime and the transition count', async () => {
  const a = candidate('host-a_1');
  await h.settle();
  const l0 = await lease();
  await advance(2_000);
  const l1 = await lease();
  assert.is(Date.parse(l1.spec!.renewTime!) - Date.parse(l0.spec!.renewTime!), 2_000);
  await advance(60_000);
  const l2 = await lease();
  assert.is(Date.parse(l2.spec!.renewTime!) - Date.parse(l0.spec!.renewTime!), 62_000);
  assert.is(l2.spec!.acquireTime, l0.spec!.acquireTime);
  assert.is(l2.spec!.leaseTransitions, 0);
  assert.equal(stopped, []);
  await a.stop();
});

test('a standby does no work while the leader renews, however long', async () => {
  const a = candidate('host-a_1');
  await h.settle();
  const b = candidate('host-b_2', 'lease.kube-scheduler-b');
  await advance(120_000, 1_000);
  assert.is(started.length, 1, 'only the leader started its work');
  assert.not.ok(b.candidate!.isLeader());
  assert.is(b.candidate!.leader(), 'host-a_1');
  assert.is((await lease()).spec!.holderIdentity, 'host-a_1');
  await b.stop();
  await a.stop();
});

test('takeover: when the leader dies, the standby takes the lock leaseDuration after it last saw it renewed', async () => {
  const a = candidate('host-a_1');
  await h.settle();
  const b = candidate('host-b_2', 'lease.kube-scheduler-b');
  await advance(10_000);
  // The leader's process dies: no release, no more renewals.
  h.host.stop('lease.kube-scheduler');
  const died = h.clock.now();
  const lastRenew = Date.parse((await lease()).spec!.renewTime!);
  await advance(14_000);
  assert.not.ok(b.candidate!.isLeader(), 'the lease is still valid');
  await advance(6_000);
  assert.ok(b.candidate!.isLeader());
  const l = await lease();
  assert.is(l.spec!.holderIdentity, 'host-b_2');
  assert.is(l.spec!.leaseTransitions, 1);
  const took = Date.parse(l.spec!.acquireTime!);
  // The standby saw the last renewal at its next try (≤ retryPeriod later), then waited the
  // 15 s leaseDuration on its own clock, then took the lock at its next try.
  assert.ok(took - lastRenew > 15_000 && took - lastRenew <= 15_000 + 2 * 2_000, `took over ${took - lastRenew} ms after the last renewal`);
  assert.ok(took - died <= 15_000 + 2 * 2_000, `took over ${took - died} ms after the leader died`);
  assert.equal(started.map((s) => s.split('@')[0]), ['host-a_1', 'host-b_2']);
  assert.ok((await events()).some((e) => e.message === 'host-b_2 became leader'));
  await b.stop();
});

test('renew deadline: a leader that cannot renew for renewDeadline (10 s) stops its work and goes back to standby', async () => {
  const a = candidate('host-a_1');
  await h.settle();
  await advance(5_000); // renewed at 2 s and 4 s; the next renewal starts at 6 s
  // Someone else holds the lock now (a partitioned leader's view): every renewal finds a valid foreign holder.
  const l = await lease();
  await h.client().must('api.update', { target: t.leases('kube-system', 'kube-scheduler'), object: { ...l, spec: { ...l.spec, holderIdentity: 'host-z_9', renewTime: l.spec!.renewTime } } as never });
  const t0 = h.clock.now();
  await advance(10_500);
  assert.ok(a.candidate!.isLeader(), 'still leading 10.5 s after the renewal window opened at 6 s');
  assert.equal(stopped, []);
  await advance(1_000);
  assert.not.ok(a.candidate!.isLeader());
  assert.equal(stopped, [`host-a_1@${t0 - 5_000 + 6_000 + 10_000}`], 'stopped exactly renewDeadline after the failing renewal began');
  assert.ok((await events()).some((e) => e.message === 'host-a_1 stopped leading'));
  // Back to standby: it does nothing while the other holder's record keeps it valid…
  assert.is(started.length, 1);
  // …and takes the lock back once that holder has been silent for leaseDuration.
  await advance(20_000);
  assert.ok(a.candidate!.isLeader());
  assert.is(started.length, 2);
  assert.is((await lease()).spec!.leaseTransitions, 1);
  await a.stop();
});

test('a clean stop releases the lock: the standby takes it at its next try, not leaseDuration later', async () => {
  const a = candidate('host-a_1');
  await h.settle();
  const b = candidate('host-b_2', 'lease.kube-scheduler-b');
  await advance(4_000);
  await a.stop();
  assert.equal(stopped.length, 1);
  const released = await lease();
  assert.is(released.spec!.holderIdentity, undefined);
  assert.is(released.spec!.leaseDurationSeconds, 1);
  await advance(2_000);
  assert.ok(b.candidate!.isLeader());
  await b.stop();
});

test('without --leader-elect the work starts at once and no Lease is written', async () => {
  const r = startLeaderElected(h.host, { name: 'kube-scheduler', leaderElect: false, run: () => ({ stop: () => void stopped.push('x') }) });
  assert.ok(r.running());
  await advance(4_000);
  const got = await h.client().call('api.get', { target: t.leases('kube-system', 'kube-scheduler') });
  assert.not.ok(got.ok);
  await r.stop();
  assert.equal(stopped, ['x']);
});

test.run();
