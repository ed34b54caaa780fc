/**
 * The RBAC kinds through the real kubectl: `kubectl create role|clusterrole|rolebinding|
 * clusterrolebinding` (protobuf bodies), `kubectl get` columns, Kubernetes' validation messages
 * and the immutable roleRef.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCluster, type Cluster } from './cluster.ts';

let c: Cluster;

test.before(async () => {
  c = await startCluster();
  assert.is((await c.kubectl(['create', 'namespace', 'team'])).code, 0);
});
test.after(async () => {
  await c.stop();
});

test('kubectl creates the four kinds and prints their columns', async () => {
  let r = await c.kubectl(['create', 'role', 'reader', '-n', 'team', '--verb=get,list', '--resource=pods,pods/log', '--resource-name=web']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), 'role.rbac.authorization.k8s.io/reader created');
  r = await c.kubectl(['create', 'clusterrole', 'urls', '--verb=get', '--non-resource-url=/logs/*']);
  assert.is(r.code, 0, r.stderr);
  r = await c.kubectl(['create', 'rolebinding', 'rb', '-n', 'team', '--role=reader', '--user=alice', '--group=devs', '--serviceaccount=team:bot']);
  assert.is(r.code, 0, r.stderr);
  r = await c.kubectl(['create', 'clusterrolebinding', 'crb', '--clusterrole=urls', '--user=bob']);
  assert.is(r.code, 0, r.stderr);

  r = await c.kubectl(['get', 'role', 'reader', '-n', 'team', '-o', 'jsonpath={.rules[0].verbs}|{.rules[0].resources}|{.rules[0].resourceNames}']);
  assert.is(r.stdout, '["get","list"]|["pods","pods/log"]|["web"]');
  r = await c.kubectl(['get', 'roles', '-n', 'team']);
  assert.match(r.stdout, /^NAME\s+CREATED AT\nreader\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
  r = await c.kubectl(['get', 'rolebinding', 'rb', '-n', 'team', '-o', 'wide']);
  assert.match(r.stdout, /^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\nrb\s+Role\/reader\s+\S+\s+alice\s+devs\s+team:bot\n$/);
  r = await c.kubectl(['get', 'clusterrolebinding', 'crb', '-o', 'jsonpath={.roleRef.apiGroup}/{.subjects[0].apiGroup}']);
  assert.is(r.stdout, 'rbac.authorization.k8s.io/rbac.authorization.k8s.io');
});

test('bad rules and subjects are refused with Kubernetes messages', async () => {
  const bad = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: bad, namespace: team}
rules:
- apiGroups: [""]
  resources: []
  verbs: []
- nonResourceURLs: ["/healthz"]
  verbs: ["get"]
`;
  let r = await c.kubectl(['create', '-f', '-'], bad);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'The Role "bad" is invalid: \n* rules[0].verbs: Required value: verbs must contain at least one value\n* rules[0].resources: Required value: resource rules must supply at least one resource\n* rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs');
  const crb = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: bad}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}
subjects:
- {kind: ServiceAccount, name: sa}
- {kind: Robot, name: r}
`;
  r = await c.kubectl(['create', '-f', '-'], crb);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"');
  assert.match(r.stderr, 'subjects[0].namespace: Required value');
  assert.match(r.stderr, 'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"');
});

test('a binding\'s roleRef cannot change', async () => {
  const r = await c.kubectl(['patch', 'rolebinding', 'rb', '-n', 'team', '--type=merge', '-p', '{"roleRef":{"name":"other"}}']);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'The RoleBinding "rb" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"other"}: cannot change roleRef');
});

test.run();
