/**
 * API Priority and Fairness in the apiserver, in virtual time: a level of one seat and one
 * queue of one runs the first request, queues the second and answers the third 429
 * TooManyRequests with Retry-After at once; a wait past the queue limit is a 429 too; exempt
 * (system:masters) requests are never queued; nodes' Lease renewals are not delayed by a
 * user's flood. Requests are held executing by a read at a resourceVersion the cache has not
 * reached (it waits cacheWaitMs, then answers 504); authorization allows everything, so only flow control decides.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Result } from '../../../base/status.ts';
import { FlowControl, WAIT_BUCKETS } from '../../../actors/apiserver/flowcontrol/controller.ts';
import { pfUidsOf } from '../../../actors/apiserver/flowcontrol/request.ts';
import { renderFlowMetrics } from '../../../actors/apiserver/flowcontrol/report.ts';
import { start, t, type Harness } from './harness.ts';

const FC = { group: 'flowcontrol.apiserver.k8s.io', version: 'v1' };
const ALICE = { username: 'alice', groups: ['system:authenticated'] };
const BOB = { username: 'bob', groups: ['system:authenticated'] };
const ADMIN = { username: 'root', groups: ['system:masters', 'system:authenticated'] };

/**
 * A level "tiny" (1 share, so 1 seat of a 100-seat server, and none to borrow; one queue of one)
 * and a schema sending alice there. `borrow`: the level may borrow (v1's default), and queues 50.
 */
async function tinyLevel(h: Harness, borrow = false): Promise<void> {
  const admin = h.client();
  const queuing = borrow ? { queues: 1, handSize: 1, queueLengthLimit: 50 } : { queues: 1, handSize: 1, queueLengthLimit: 1 };
  await admin.must('api.create', {
    target: { ...FC, resource: 'prioritylevelconfigurations' },
    object: { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'tiny' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, ...(borrow ? {} : { borrowingLimitPercent: 0 }), limitResponse: { type: 'Queue', queuing } } } },
  });
  await admin.must('api.create', {
    target: { ...FC, resource: 'flowschemas' },
    object: { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'alice' }, spec: { priorityLevelConfiguration: { name: 'tiny' }, matchingPrecedence: 500, distinguisherMethod: { type: 'ByUser' }, rules: [{ subjects: [{ kind: 'User', user: { name: 'alice' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }] }] } },
  });
}

/** A read that executes for cacheWaitMs (3 s): the cache never reaches this revision. */
const slowRead = (h: Harness, user: typeof ALICE) => h.client('edge.spec').call('api.get', { target: t.cm('default', 'x'), user, resourceVersion: '999999' });

/** Tracks when each promise settles. */
function watch<T>(p: Promise<T>): { done: boolean; value?: T } {
  const w: { done: boolean; value?: T } = { done: false };
  void p.then((v) => Object.assign(w, { done: true, value: v }));
  return w;
}

const code = (r: Result<unknown> | undefined): number => (r && !r.ok ? r.status.code : r ? 200 : 0);

test('one seat, one queue of one: the third concurrent request is answered 429 with Retry-After at once, the second waits', async () => {
  const fc = new FlowControl({ serverConcurrencyLimit: 100 });
  const h = await start({ authorizationModes: ['AlwaysAllow'], flowControl: fc });
  try {
    await tinyLevel(h);
    const [a, b, c] = [watch(slowRead(h, ALICE)), watch(slowRead(h, ALICE)), watch(slowRead(h, ALICE))];
    await h.settle();
    assert.ok(c.done, 'the third is answered at once');
    assert.is(code(c.value), 429);
    const st = (c.value as { ok: false; status: { reason: string; message: string; details?: { retryAfterSeconds?: number } } }).status;
    assert.is(st.reason, 'TooManyRequests');
    assert.is(st.message, 'Too many requests, please try again later.');
    assert.is(st.details?.retryAfterSeconds, 1);
    assert.not.ok(a.done || b.done);
    await h.clock.advance(3000);
    await h.settle();
    assert.is(code(a.value), 504, 'the first ran its 3 s');
    assert.not.ok(b.done, 'the second started only when the first replied');
    await h.clock.advance(3000);
    await h.settle();
    assert.is(code(b.value), 504);
    // apiserver_flowcontrol_request_execution_seconds: each held its seat 3 s (the 2-5 s bucket); the wait is counted apart.
    const alice = [...fc.stats()].find((x) => x.flowSchema === 'alice')!;
    assert.is(alice.execSum, 6);
    assert.is(alice.execBuckets[WAIT_BUCKETS.indexOf(5)], 2);
    assert.is(alice.waitSum, 3, 'the second waited 3 s in its queue');
    // The reply to an edge names the FlowSchema and level that served it.
    const uids = pfUidsOf(a.value);
    const schema = await h.client().must('api.get', { target: { ...FC, resource: 'flowschemas', name: 'alice' } });
    assert.is(uids?.flowSchema, schema.metadata?.uid);
  } finally {
    await h.close();
  }
});

test('a request that waits longer than the queue wait limit is answered 429', async () => {
  const h = await start({ authorizationModes: ['AlwaysAllow'], flowControl: new FlowControl({ serverConcurrencyLimit: 100, queueWaitMs: 1000 }) });
  try {
    await tinyLevel(h);
    const a = watch(slowRead(h, ALICE));
    const b = watch(slowRead(h, ALICE));
    await h.settle();
    await h.clock.advance(999);
    await h.settle();
    assert.not.ok(b.done);
    await h.clock.advance(1);
    await h.settle();
    assert.is(code(b.value), 429, 'timed out in the queue');
    assert.not.ok(a.done);
    await h.clock.advance(3000);
    await h.settle();
    assert.is(code(a.value), 504);
  } finally {
    await h.close();
  }
});

test('exempt (system:masters) requests are never queued, and other levels are not slowed by a full one', async () => {
  const h = await start({ authorizationModes: ['AlwaysAllow'], flowControl: new FlowControl({ serverConcurrencyLimit: 100 }) });
  try {
    await tinyLevel(h);
    const flood = [watch(slowRead(h, ALICE)), watch(slowRead(h, ALICE))];
    const admins = Array.from({ length: 20 }, () => watch(slowRead(h, ADMIN)));
    // bob is in global-default (20 of 246 shares: 9 of the 100 seats): his reads run beside alice's full level.
    const bobs = Array.from({ length: 9 }, () => watch(slowRead(h, BOB)));
    await h.settle();
    assert.ok(admins.every((w) => !w.done) && bobs.every((w) => !w.done), 'all running, none rejected');
    await h.clock.advance(3000);
    await h.settle();
    assert.ok(admins.every((w) => code(w.value) === 504), 'every exempt request ran at once');
    assert.ok(bobs.every((w) => code(w.value) === 504), 'every request of another level ran at once');
    assert.is(code(flood[0]!.value), 504);
    assert.not.ok(flood[1]!.done, 'alice\'s second still queued behind her first');
    await h.clock.advance(3000);
    await h.settle();
  } finally {
    await h.close();
  }
});

test('a kubelet\'s Lease renewal goes through while a user floods: node-high has its own seats', async () => {
  const h = await start({ authorizationModes: ['AlwaysAllow'], flowControl: new FlowControl({ serverConcurrencyLimit: 100 }) });
  try {
    await tinyLevel(h);
    const flood = Array.from({ length: 30 }, () => watch(slowRead(h, ALICE)));
    await h.settle();
    assert.is(flood.filter((w) => code(w.value) === 429).length, 28, 'all but one running and one queued are rejected');
    const kubelet = h.client('kubelet.n1');
    const lease = await kubelet.call('api.create', { target: t.leases('kube-node-lease'), object: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1' }, spec: { holderIdentity: 'n1' } } });
    assert.ok(lease.ok, 'created without waiting for virtual time to pass');
    await h.clock.advance(6000);
    await h.settle();
  } finally {
    await h.close();
  }
});

test('a busy level borrows the seats idle levels lend: at the next 10 s adjustment its queue runs at once, and the metrics show its new limit', async () => {
  const fc = new FlowControl({ serverConcurrencyLimit: 100 });
  const h = await start({ authorizationModes: ['AlwaysAllow'], flowControl: fc });
  try {
    await tinyLevel(h, true);
    const tiny = () => fc.levels().get('tiny')!.set!;
    // 1 of 106 nominal seats; at first every level gets its unlent seats scaled to the total: 1 x 106/47 -> 2.
    assert.is(tiny().limit, 2);
    const reads = Array.from({ length: 20 }, () => watch(slowRead(h, ALICE)));
    await h.settle();
    assert.is(tiny().executing, 2);
    assert.is(tiny().waiting, 18);
    // Two at a time, 3 s each, until the next adjustment (10 s after the level was made): then the queue runs at once.
    let waited = 0;
    while (tiny().limit === 2 && waited <= 10_000) {
      assert.ok(tiny().executing <= 2, 'two at a time before the adjustment');
      await h.clock.advance(500);
      await h.settle();
      waited += 500;
    }
    assert.ok(tiny().limit > 10, `tiny borrowed: ${tiny().limit} seats after ${waited} ms`);
    assert.is(tiny().waiting, 0, 'every queued request runs at once');
    const metrics = renderFlowMetrics(fc);
    assert.match(metrics, `apiserver_flowcontrol_current_limit_seats{priority_level="tiny"} ${tiny().limit}`);
    assert.match(metrics, 'apiserver_flowcontrol_nominal_limit_seats{priority_level="tiny"} 1');
    assert.match(metrics, 'apiserver_flowcontrol_lower_limit_seats{priority_level="tiny"} 1');
    assert.match(metrics, 'apiserver_flowcontrol_upper_limit_seats{priority_level="tiny"} 101');
    // The idle levels lent: workload-low (41 nominal, 90 % lendable) runs on a few seats, no fewer than its floor of 4.
    const low = fc.levels().get('workload-low')!.set!.limit;
    assert.ok(low >= 4 && low < 10, `workload-low: ${low} seats`);
    const sum = [...fc.levels().values()].reduce((n, l) => n + (l.set?.limit ?? 0), 0);
    assert.ok(Math.abs(sum - 106) <= 4, `the limits still share the 106 nominal seats (rounded): ${sum}`);
    await h.clock.advance(3000);
    await h.settle();
    assert.ok(reads.every((w) => code(w.value) === 504), 'all ran, none refused');
  } finally {
    await h.close();
  }
});

test('with flow control off every request runs at once', async () => {
  const h = await start({ authorizationModes: ['AlwaysAllow'], flowControl: false });
  try {
    await tinyLevel(h);
    const reads = Array.from({ length: 5 }, () => watch(slowRead(h, ALICE)));
    await h.settle();
    assert.ok(reads.every((w) => !w.done));
    await h.clock.advance(3000);
    await h.settle();
    assert.ok(reads.every((w) => code(w.value) === 504));
  } finally {
    await h.close();
  }
});

test.run();
