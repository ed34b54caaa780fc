import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, t, pod, type Harness } from './harness.ts';
import { requestUser, userForAddress, TRUSTED_EDGE_PREFIX } from '../../../actors/apiserver/identity.ts';

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
const lease = (name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40 } });

test('identities come from the bus address; only edges may state a user', () => {
  assert.equal(userForAddress('kubelet.n1').username, 'system:node:n1');
  assert.equal(userForAddress('scheduler').username, 'system:kube-scheduler');
  assert.equal(userForAddress('controller.replicaset').username, 'system:serviceaccount:kube-system:replicaset-controller');
  assert.equal(userForAddress('informers').username, 'system:kube-controller-manager');
  assert.equal(userForAddress('proxy.n1').username, 'system:kube-proxy');
  const stated = { username: 'alice', groups: ['dev'] };
  assert.is(requestUser(`${TRUSTED_EDGE_PREFIX}http`, stated).username, 'alice');
  assert.is(requestUser('kubelet.n1', stated).username, 'system:node:n1');
});

test('a kubelet may write its own Node and Lease only', async () => {
  const k = h.client('kubelet.n1');
  await k.must('api.create', { target: t.nodes(), object: node('n1') });
  const other = await k.call('api.create', { target: t.nodes(), object: node('n2') });
  assert.ok(!other.ok && other.status.code === 403);
  assert.is(!other.ok && other.status.message, 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
  await k.must('api.create', { target: t.leases(), object: lease('n1') });
  const wrong = await k.call('api.create', { target: t.leases(), object: lease('n2') });
  assert.ok(!wrong.ok && wrong.status.code === 403);
  assert.match(!wrong.ok ? wrong.status.message : '', /can only access node lease with the same name as the requesting node/);
  const cm = await k.call('api.create', { target: t.cm(), object: { metadata: { name: 'x' }, data: {} } });
  assert.ok(!cm.ok && cm.status.code === 403);
  // The node authorizer refuses before admission, as Kubernetes' does (a create's name is not yet known there).
  assert.is(!cm.ok && cm.status.message, 'configmaps is forbidden: User "system:node:n1" cannot create resource "configmaps" in API group "" in the namespace "default": can only read resources of this type');
  // Reads are not restricted by NodeRestriction.
  assert.ok((await k.call('api.list', { target: t.pods() })).ok);
});

test('a kubelet may update status of and delete only pods bound to it', async () => {
  const admin = h.client();
  const mine = (await admin.must('api.create', { target: t.pods(), object: pod('mine', { nodeName: 'n1' }) })).object;
  const theirs = (await admin.must('api.create', { target: t.pods(), object: pod('theirs', { nodeName: 'n2' }) })).object;
  const k = h.client('kubelet.n1');
  await k.must('api.update', { target: t.pods('default', 'mine', 'status'), object: { ...mine, status: { phase: 'Running' } } });
  const r = await k.call('api.update', { target: t.pods('default', 'theirs', 'status'), object: { ...theirs, status: { phase: 'Running' } } });
  assert.ok(!r.ok && r.status.code === 403);
  assert.is(!r.ok && r.status.message, 'pods "theirs" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself');
  const d = await k.call('api.delete', { target: t.pods('default', 'theirs') });
  assert.ok(!d.ok && d.status.code === 403);
  await k.must('api.delete', { target: t.pods('default', 'mine'), options: { gracePeriodSeconds: 0 } });
  const spec = await k.call('api.patch', { target: t.pods('default', 'theirs'), patchType: 'merge', patch: { metadata: { labels: { a: 'b' } } } });
  assert.ok(!spec.ok && spec.status.code === 403);
});

test('kubelets may record events', async () => {
  const k = h.client('kubelet.n1');
  const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' }, involvedObject: { kind: 'Node', name: 'n1' }, reason: 'Starting', message: 'hi', type: 'Normal' };
  const r = await k.call('api.create', { target: t.events(), object: ev });
  assert.ok(r.ok, r.ok ? '' : r.status.message);
});

test.run();
