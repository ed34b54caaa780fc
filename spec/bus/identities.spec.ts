import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClaimChecker, defaultIdentities, isAddress, matchPattern, mayReachKv, nodeIdentity } from '../../bus/identities.ts';
import { permissionsFor } from '../../bus/nats/server-config.ts';
import { subjects } from '../../bus/nats/subjects.ts';

test('patterns use NATS token semantics', () => {
  assert.ok(matchPattern('controller.*', 'controller.replicaset'));
  assert.not.ok(matchPattern('controller.*', 'controller'));
  assert.not.ok(matchPattern('controller.*', 'controller.a.b'));
  assert.ok(matchPattern('pod.>', 'pod.a.b'));
  assert.not.ok(matchPattern('kv', 'kvx'));
  assert.not.ok(matchPattern('pod.*', 'podx.1'));
});

test('role identities: only the apiserver role reaches the kv; the others hold their components, candidates and own informers', () => {
  const c = new ClaimChecker(defaultIdentities);
  assert.ok(mayReachKv(defaultIdentities, 'apiserver'));
  assert.ok(c.mayClaim('apiserver', 'kv') && c.mayClaim('apiserver', 'edge.http'));
  for (const id of ['scheduler', 'controller-manager']) {
    assert.not.ok(mayReachKv(defaultIdentities, id), `${id} may not reach the kv`);
    assert.equal(permissionsFor('kubeactor', { identity: id, password: 'x' }).publish.deny, ['kubeactor.a.*.kv']);
    assert.ok(c.mayClaim(id, 'informers.0a1b2c3d'));
    assert.not.ok(c.mayClaim(id, 'apiserver'));
  }
  assert.ok(c.mayClaim('scheduler', 'scheduler') && c.mayClaim('scheduler', 'lease.kube-scheduler'));
  assert.not.ok(c.mayClaim('scheduler', 'lease.kube-controller-manager'));
  assert.ok(c.mayClaim('controller-manager', 'controller.replicaset') && c.mayClaim('controller-manager', 'lease.cloud-controller-manager'));
  assert.not.ok(c.mayClaim('controller-manager', 'scheduler'));
});

test('the default table: control plane, one node, many nodes', () => {
  const c = new ClaimChecker(defaultIdentities);
  assert.ok(c.mayClaim('control-plane', 'apiserver') && c.mayClaim('control-plane', 'controller.deployment'));
  assert.ok(c.mayClaim(nodeIdentity('n1'), 'kubelet.n1') && c.mayClaim('node-n1', 'pod.0b7c-11'));
  assert.not.ok(c.mayClaim('node-n1', 'kubelet.n2'), 'a node cannot speak for another');
  assert.not.ok(c.mayClaim('node-n1', 'apiserver'));
  assert.not.ok(c.mayClaim('stranger', 'pod.x'));
  assert.ok(c.mayClaim('nodes', 'kubelet.n2'));
  assert.ok(mayReachKv(defaultIdentities, 'control-plane'));
  assert.not.ok(mayReachKv(defaultIdentities, 'node-n1'));
});

test('addresses map to subjects injectively and reject wildcards', () => {
  const s = subjects('kubeactor', 'node-n1', 'nonce');
  assert.is(s.toAddress('controller.replicaset'), 'kubeactor.a.node-n1.controller.replicaset');
  assert.is(s.addressInterest('pod.abc-1'), 'kubeactor.a.*.pod.abc-1');
  assert.is(s.senderOf('kubeactor.a.control-plane.kv'), 'control-plane');
  assert.is(s.senderOf('kubeactor.t.node-n1.topic.nodes'), 'node-n1');
  for (const bad of ['', 'a..b', 'a.*', 'a.>', 'a b', '.a', 'a.']) assert.not.ok(isAddress(bad), bad);
  assert.throws(() => subjects('kubeactor', 'node.n1', 'x'), /identity/);
});

test('server permissions: own identity token only, kv only for the apiserver identity', () => {
  const node = permissionsFor('k', { identity: 'node-n1', password: 'p' });
  assert.equal(node.publish, { allow: ['k.a.node-n1.>', 'k.t.node-n1.>'], deny: ['k.a.*.kv'] });
  assert.ok(node.subscribe.allow.includes('k.a.*.kubelet.n1') && !node.subscribe.allow.includes('k.a.*.kv'));
  const cp = permissionsFor('k', { identity: 'control-plane', password: 'p' });
  assert.equal(cp.publish.deny, []);
  assert.throws(() => permissionsFor('k', { identity: 'stranger', password: 'p' }), /no claims/);
});

test.run();
