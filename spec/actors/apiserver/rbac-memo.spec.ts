/**
 * The RBAC authorizer keeps the rules it resolved per user and namespace between requests;
 * a change to a role or a binding is seen by the very next request once the apiserver's cache
 * has it: a RoleBinding deleted, a Role's rule taken away, a ClusterRoleBinding added and
 * deleted. The bus user here (the ReplicaSet controller's ServiceAccount) is the one frozen
 * object every request of its address carries, the case the memo keys by object.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import type { Result } from '../../../base/status.ts';
import { start, type Harness } from './harness.ts';
import { rulesAllowRemembered } from '../../../actors/apiserver/rbac.ts';
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';

const RBAC = { group: 'rbac.authorization.k8s.io', version: 'v1' };
const target = (resource: string, namespace?: string, name?: string): ApiTarget => ({ ...RBAC, resource, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) });
const secrets: ApiTarget = { group: '', version: 'v1', resource: 'secrets', namespace: 'default' };
const SA = { kind: 'ServiceAccount', name: 'replicaset-controller', namespace: 'kube-system' };
const role = (verbs: string[]): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'secret-reader', namespace: 'default' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs }] } as KubeObject);
const FORBIDDEN = 'secrets is forbidden: User "system:serviceaccount:kube-system:replicaset-controller" cannot list resource "secrets" in API group "" in the namespace "default"';

function outcome(r: Result<unknown>): string {
  return r.ok ? 'allowed' : `${r.status.code} ${r.status.message}`;
}

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

test('a RoleBinding deleted: the next request is Forbidden; bound again, allowed again', async () => {
  const admin = h.client();
  const rs = h.client('controller.replicaset');
  assert.is(outcome(await rs.call('api.list', { target: secrets })), `403 ${FORBIDDEN}`);
  await admin.must('api.create', { target: target('roles', 'default'), object: role(['list']) });
  const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'read-secrets', namespace: 'default' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' }, subjects: [SA] } as KubeObject;
  await admin.must('api.create', { target: target('rolebindings', 'default'), object: binding });
  await h.settle();
  assert.is(outcome(await rs.call('api.list', { target: secrets })), 'allowed');
  assert.is(outcome(await rs.call('api.list', { target: secrets })), 'allowed', 'the remembered answer');
  await admin.must('api.delete', { target: target('rolebindings', 'default', 'read-secrets') });
  await h.settle();
  assert.is(outcome(await rs.call('api.list', { target: secrets })), `403 ${FORBIDDEN}`);
  await admin.must('api.create', { target: target('rolebindings', 'default'), object: binding });
  await h.settle();
  assert.is(outcome(await rs.call('api.list', { target: secrets })), 'allowed');
});

test("a Role's rule taken away, and a ClusterRoleBinding added then deleted, are seen by the next request", async () => {
  const admin = h.client();
  const rs = h.client('controller.replicaset');
  await admin.must('api.create', { target: target('roles', 'default'), object: role(['list']) });
  await admin.must('api.create', { target: target('rolebindings', 'default'), object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'read-secrets', namespace: 'default' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' }, subjects: [SA] } as KubeObject });
  await h.settle();
  assert.is(outcome(await rs.call('api.list', { target: secrets })), 'allowed');
  const current = (await admin.must('api.get', { target: target('roles', 'default', 'secret-reader') })) as KubeObject;
  await admin.must('api.update', { target: target('roles', 'default', 'secret-reader'), object: { ...current, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] } as KubeObject });
  await h.settle();
  assert.is(outcome(await rs.call('api.list', { target: secrets })), `403 ${FORBIDDEN}`);
  await admin.must('api.create', { target: target('clusterrolebindings'), object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'rs-view-secrets' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [SA] } as KubeObject });
  await h.settle();
  assert.is(outcome(await rs.call('api.list', { target: secrets })), 'allowed');
  await admin.must('api.delete', { target: target('clusterrolebindings', undefined, 'rs-view-secrets') });
  await h.settle();
  assert.is(outcome(await rs.call('api.list', { target: secrets })), `403 ${FORBIDDEN}`);
});

test('a rule with resourceNames answers each name for itself, the first time and every time after', async () => {
  const admin = h.client();
  const rs = h.client('controller.replicaset');
  const secret = (name: string): ApiTarget => ({ ...secrets, name });
  await admin.must('api.create', { target: target('roles', 'default'), object: { ...role(['get']), rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['a'] }] } as KubeObject });
  await admin.must('api.create', { target: target('rolebindings', 'default'), object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'read-a', namespace: 'default' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' }, subjects: [SA] } as KubeObject });
  await h.settle();
  const denied = (name: string) => `403 secrets "${name}" is forbidden: User "system:serviceaccount:kube-system:replicaset-controller" cannot get resource "secrets" in API group "" in the namespace "default"`;
  const asked: string[] = [];
  for (const name of ['a', 'b', 'a', 'b']) {
    const r = await rs.call('api.get', { target: secret(name) });
    // `a` does not exist: allowed is NotFound, which only an authorized request can learn.
    asked.push(r.ok ? 'allowed' : r.status.code === 404 ? 'allowed (404)' : outcome(r));
  }
  assert.equal(asked, ['allowed (404)', denied('b'), 'allowed (404)', denied('b')]);
  assert.is(outcome(await rs.call('api.list', { target: secrets })), `403 ${FORBIDDEN}`, 'a list names nothing: resourceNames do not grant it');
});

test('remembered answers are told apart by verb, group, resource, subresource and path, asked in any order and again', () => {
  const rules: PolicyRule[] = [
    { apiGroups: [''], resources: ['pods/status'], verbs: ['patch'] },
    { apiGroups: ['apps'], resources: ['pods'], verbs: ['get'] },
    { nonResourceURLs: ['/healthz'], verbs: ['get'] },
  ];
  const asks = [
    [{ verb: 'patch', group: '', resource: 'pods', subresource: 'status' }, true],
    [{ verb: 'patch', group: '', resource: 'pods' }, false],
    [{ verb: 'get', group: '', resource: 'pods', subresource: 'status' }, false],
    [{ verb: 'get', group: 'apps', resource: 'pods' }, true],
    [{ verb: 'get', group: '', resource: 'pods' }, false],
    [{ verb: 'get', group: 'apps', resource: 'pods', subresource: 'status' }, false],
    [{ verb: 'get', path: '/healthz' }, true],
    [{ verb: 'get', path: '/readyz' }, false],
    [{ verb: 'post', path: '/healthz' }, false],
  ] as const;
  for (let round = 0; round < 2; round++) {
    for (const [a, allowed] of round === 0 ? asks : [...asks].reverse()) assert.is(rulesAllowRemembered(a, rules), allowed, `${JSON.stringify(a)} in round ${round}`);
  }
});

test.run();
