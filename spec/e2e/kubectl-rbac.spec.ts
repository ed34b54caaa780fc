/**
 * Issue 17, end to end: RBAC as kubectl users meet it, against a real `kubeactor up` child
 * process (memory storage, sim runtime). The bootstrap roles view, edit and admin answer
 * `kubectl auth can-i --as` as Kubernetes' do (the table below is read off upstream's
 * bootstrap policy, policy.go's system:aggregate-to-{view,edit,admin}); a ServiceAccount token
 * is confined until bound; impersonation needs the impersonate verb (a uid too); the namespaced
 * bootstrap Roles of kube-system and kube-public are installed and give the leader locks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliProcess } from '../helpers/cli.ts';
import { eventually } from '../helpers/wait.ts';
import { kubectlAt, type Kubectl } from '../helpers/kubectl.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-rbac-'));
let up: CliProcess;

let k: Kubectl;
/** kubectl's answer, never thrown. */
const kubectl = async (args: string[]) => {
  const r = await k.run(args);
  return { code: r.code, stdout: r.out, stderr: r.err };
};
/** kubectl that must succeed: its trimmed stdout. */
const ok = (args: string[]): Promise<string> => k(...args);

/**
 * [verb, resource (kubectl's TYPE[.group]), subresource, view, edit, admin] in namespace `team`,
 * from upstream's bootstrap policy (1.32): view reads all but Secrets; edit writes workloads,
 * Secrets and ConfigMaps but not Endpoints (CVE-2021-25740), quotas or RBAC; admin adds
 * Roles, RoleBindings and LocalSubjectAccessReviews. Nobody namespaced reaches Nodes or
 * ClusterRoles.
 */
const MATRIX: readonly (readonly [string, string, string, boolean, boolean, boolean])[] = [
  ['get', 'pods', '', true, true, true],
  ['list', 'pods', '', true, true, true],
  ['watch', 'pods', '', true, true, true],
  ['create', 'pods', '', false, true, true],
  ['delete', 'pods', '', false, true, true],
  ['get', 'pods', 'log', true, true, true],
  ['get', 'pods', 'status', true, true, true],
  ['update', 'pods', 'status', false, false, false],
  ['create', 'pods', 'exec', false, true, true],
  ['get', 'pods', 'exec', false, true, true],
  ['create', 'pods', 'eviction', false, true, true],
  ['get', 'secrets', '', false, true, true],
  ['list', 'secrets', '', false, true, true],
  ['create', 'secrets', '', false, true, true],
  ['get', 'configmaps', '', true, true, true],
  ['update', 'configmaps', '', false, true, true],
  ['list', 'services', '', true, true, true],
  ['create', 'services', '', false, true, true],
  ['list', 'endpoints', '', true, true, true],
  ['create', 'endpoints', '', false, false, false],
  ['list', 'events', '', true, true, true],
  ['create', 'events', '', false, true, true],
  ['list', 'resourcequotas', '', true, true, true],
  ['create', 'resourcequotas', '', false, false, false],
  ['create', 'serviceaccounts', '', false, true, true],
  ['create', 'serviceaccounts', 'token', false, true, true],
  ['impersonate', 'serviceaccounts', '', false, true, true],
  ['get', 'namespaces', '', true, true, true],
  ['delete', 'namespaces', '', false, false, false],
  ['list', 'deployments.apps', '', true, true, true],
  ['update', 'deployments.apps', '', false, true, true],
  ['get', 'deployments.apps', 'scale', true, true, true],
  ['patch', 'deployments.apps', 'scale', false, true, true],
  ['create', 'jobs.batch', '', false, true, true],
  ['list', 'cronjobs.batch', '', true, true, true],
  ['create', 'poddisruptionbudgets.policy', '', false, true, true],
  ['create', 'ingresses.networking.k8s.io', '', false, true, true],
  ['list', 'endpointslices.discovery.k8s.io', '', true, true, true],
  ['create', 'endpointslices.discovery.k8s.io', '', false, false, false],
  ['create', 'leases.coordination.k8s.io', '', false, true, true],
  ['create', 'persistentvolumeclaims', '', false, true, true],
  ['create', 'roles.rbac.authorization.k8s.io', '', false, false, true],
  ['create', 'rolebindings.rbac.authorization.k8s.io', '', false, false, true],
  ['create', 'localsubjectaccessreviews.authorization.k8s.io', '', false, false, true],
  ['list', 'nodes', '', false, false, false],
  ['create', 'clusterroles.rbac.authorization.k8s.io', '', false, false, false],
];

test.before(async () => {
  up = runCli(['up', '--storage', 'memory', '--port', '0', '--data-dir', dir, '--default-runtime', 'sim', '--nodes', '1']);
  await up.waitFor('ready.', 30_000);
  const kubeconfig = /kubeconfig: (\S+)/.exec(up.output())?.[1];
  assert.ok(kubeconfig, `no kubeconfig line in:\n${up.output()}`);
  k = kubectlAt(kubeconfig!, dir);
  await ok(['create', 'namespace', 'team']);
  await ok(['create', 'namespace', 'other']);
  for (const role of ['view', 'edit', 'admin']) await ok(['create', 'rolebinding', `${role}-user`, '-n', 'team', `--clusterrole=${role}`, `--user=${role}-user`]);
  // The aggregation controller fills edit, view and admin from the system:aggregate-to-* roles.
  await eventually(async () => (await kubectl(['auth', 'can-i', 'create', 'rolebindings', '-n', 'team', '--as=admin-user'])).stdout.trim(), { what: 'admin aggregated', accept: (s) => s === 'yes', timeoutMs: 15_000 });
});

test.after(async () => {
  if (up) await up.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl auth can-i for view, edit and admin matches Kubernetes\' bootstrap policy', async () => {
  const wrong: string[] = [];
  const ask = async ([verb, resource, sub, ...want]: (typeof MATRIX)[number]) => {
    for (const [i, role] of ['view', 'edit', 'admin'].entries()) {
      const r = await kubectl(['auth', 'can-i', verb, resource, '-n', 'team', `--as=${role}-user`, ...(sub ? [`--subresource=${sub}`] : [])]);
      const got = r.stdout.trim();
      if (got !== (want[i] ? 'yes' : 'no')) wrong.push(`${role}: can-i ${verb} ${resource}${sub ? `/${sub}` : ''} said ${got || r.stderr.trim()}`);
    }
  };
  // Four kubectl processes at a time.
  for (let i = 0; i < MATRIX.length; i += 4) await Promise.all(MATRIX.slice(i, i + 4).map(ask));
  assert.equal(wrong, []);
  // Outside the bound namespace, nothing.
  assert.is((await kubectl(['auth', 'can-i', 'get', 'pods', '-n', 'other', '--as=admin-user'])).stdout.trim(), 'no');
});

test('the namespaced bootstrap Roles and RoleBindings of kube-system and kube-public are installed, as upstream\'s', async () => {
  const names = async (what: string, ns: string) => (await ok(['get', what, '-n', ns, '-l', 'kubernetes.io/bootstrapping=rbac-defaults', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').sort();
  const system = ['extension-apiserver-authentication-reader', 'system::leader-locking-kube-controller-manager', 'system::leader-locking-kube-scheduler', 'system:controller:bootstrap-signer', 'system:controller:cloud-provider', 'system:controller:token-cleaner', 'system:coredns:service-publisher'].sort();
  assert.equal(await names('roles', 'kube-system'), system);
  assert.equal(await names('roles', 'kube-public'), ['system:controller:bootstrap-signer']);
  assert.equal(await names('rolebindings', 'kube-public'), ['system:controller:bootstrap-signer']);
  assert.ok((await names('rolebindings', 'kube-system')).includes('system::leader-locking-kube-scheduler'));
  // What they grant: the scheduler may take its leader lease in kube-system, the token cleaner may delete bootstrap tokens.
  const can = async (...args: string[]) => (await kubectl(['auth', 'can-i', ...args])).stdout.trim();
  assert.is(await can('update', 'leases.coordination.k8s.io', '-n', 'kube-system', '--as=system:serviceaccount:kube-system:kube-scheduler'), 'yes');
  assert.is(await can('delete', 'secrets', '-n', 'kube-system', '--as=system:serviceaccount:kube-system:token-cleaner'), 'yes');
  assert.is(await can('delete', 'secrets', '-n', 'default', '--as=system:serviceaccount:kube-system:token-cleaner'), 'no');
  assert.is(await can('update', 'configmaps/cluster-info', '-n', 'kube-public', '--as=system:serviceaccount:kube-system:bootstrap-signer'), 'yes');
});

test('kubectl auth can-i --list shows the bound rules; denied requests are Kubernetes\' 403', async () => {
  const list = await ok(['auth', 'can-i', '--list', '-n', 'team', '--as=view-user']);
  assert.match(list, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
  assert.match(list, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
  const denied = await kubectl(['delete', 'pod', 'x', '-n', 'team', '--as=view-user']);
  assert.match(denied.stderr, 'Error from server (Forbidden): pods "x" is forbidden: User "view-user" cannot delete resource "pods" in API group "" in the namespace "team"');
  const path = await kubectl(['get', '--raw', '/metrics', '--as=view-user']);
  assert.match(path.stderr, 'Error from server (Forbidden): forbidden: User "view-user" cannot get path "/metrics"');
});

test('a user with edit cannot bind cluster-admin', async () => {
  const r = await kubectl(['create', 'rolebinding', 'grab', '-n', 'team', '--clusterrole=cluster-admin', '--user=edit-user', '--as=edit-user']);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'rolebindings.rbac.authorization.k8s.io is forbidden: User "edit-user" cannot create resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "team"');
});

test('no escalation: a namespace admin grants only what they hold, unless they may bind or escalate', async () => {
  const grab = await kubectl(['create', 'rolebinding', 'grab', '-n', 'team', '--clusterrole=cluster-admin', '--user=admin-user', '--as=admin-user']);
  assert.is(grab.code, 1);
  assert.match(
    grab.stderr,
    'rolebindings.rbac.authorization.k8s.io "grab" is forbidden: user "admin-user" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
  );
  // What the admin holds may be handed on: a Role and a binding to view.
  await ok(['create', 'role', 'pod-reader', '-n', 'team', '--verb=get,list', '--resource=pods', '--as=admin-user']);
  await ok(['create', 'rolebinding', 'readers', '-n', 'team', '--role=pod-reader', '--user=someone', '--as=admin-user']);
  await ok(['create', 'rolebinding', 'viewers', '-n', 'team', '--clusterrole=view', '--user=someone', '--as=admin-user']);
  const nodes = await kubectl(['create', 'role', 'node-reader', '-n', 'team', '--verb=get', '--resource=nodes', '--as=admin-user']);
  assert.match(nodes.stderr, 'roles.rbac.authorization.k8s.io "node-reader" is forbidden: user "admin-user" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}');
  // With bind on cluster-admin, the binding goes through.
  await ok(['create', 'clusterrole', 'bind-admin', '--verb=bind', '--resource=clusterroles', '--resource-name=cluster-admin']);
  await ok(['create', 'rolebinding', 'admin-binds', '-n', 'team', '--clusterrole=bind-admin', '--user=admin-user']);
  await ok(['create', 'rolebinding', 'grab', '-n', 'team', '--clusterrole=cluster-admin', '--user=admin-user', '--as=admin-user']);
});

test('a ServiceAccount token reads no Secrets elsewhere and deletes no Node until bound; --as needs impersonate', async () => {
  await ok(['create', 'serviceaccount', 'bot', '-n', 'team']);
  const token = await ok(['create', 'token', 'bot', '-n', 'team']);
  const as = (args: string[]) => kubectl([`--token=${token}`, ...args]);
  const secret = await as(['get', 'secrets', '-n', 'other']);
  assert.match(secret.stderr, 'secrets is forbidden: User "system:serviceaccount:team:bot" cannot list resource "secrets" in API group "" in the namespace "other"');
  const node = await as(['delete', 'node', 'node-1']);
  assert.match(node.stderr, 'nodes "node-1" is forbidden: User "system:serviceaccount:team:bot" cannot delete resource "nodes" in API group "" at the cluster scope');
  const imp = await as(['get', 'pods', '-n', 'team', '--as=admin-user']);
  assert.match(imp.stderr, 'users "admin-user" is forbidden: User "system:serviceaccount:team:bot" cannot impersonate resource "users" in API group "" at the cluster scope');

  await ok(['create', 'rolebinding', 'bot-secrets', '-n', 'other', '--clusterrole=edit', '--serviceaccount=team:bot']);
  await ok(['create', 'clusterrole', 'node-deleter', '--verb=delete', '--resource=nodes']);
  await ok(['create', 'clusterrolebinding', 'bot-nodes', '--clusterrole=node-deleter', '--serviceaccount=team:bot']);
  await ok(['create', 'clusterrole', 'impersonator', '--verb=impersonate', '--resource=users']);
  await ok(['create', 'clusterrolebinding', 'bot-impersonates', '--clusterrole=impersonator', '--serviceaccount=team:bot']);
  assert.is((await as(['get', 'secrets', '-n', 'other'])).code, 0);
  assert.is((await as(['auth', 'can-i', 'delete', 'nodes'])).stdout.trim(), 'yes');
  assert.equal(await (async () => (await as(['auth', 'whoami', '--as=admin-user', '-o', 'jsonpath={.status.userInfo.username}'])).stdout)(), 'admin-user');
  assert.is((await as(['get', 'pods', '-n', 'team', '--as=admin-user'])).code, 0);
});

test('the leader locks: the controller manager and the scheduler take any lease of kube-system through their namespaced Roles, nowhere else', async () => {
  const can = async (args: string[]) => (await kubectl(['auth', 'can-i', ...args])).stdout.trim();
  // Their ClusterRoles name only their own lease; the Roles give kube-system's others.
  const asks: [string[], string][] = [
    [['get', 'leases.coordination.k8s.io/other', '-n', 'kube-system', '--as=system:kube-controller-manager'], 'yes'],
    [['update', 'leases.coordination.k8s.io/other', '-n', 'kube-system', '--as=system:kube-scheduler'], 'yes'],
    [['watch', 'leases.coordination.k8s.io', '-n', 'kube-system', '--as=system:serviceaccount:kube-system:leader-election-controller'], 'yes'],
    [['get', 'leases.coordination.k8s.io/other', '-n', 'default', '--as=system:kube-controller-manager'], 'no'],
    [['update', 'leases.coordination.k8s.io/other', '-n', 'default', '--as=system:kube-scheduler'], 'no'],
    [['delete', 'leases.coordination.k8s.io/kube-scheduler', '-n', 'kube-system', '--as=system:kube-scheduler'], 'no'],
    [['get', 'configmaps/extension-apiserver-authentication', '-n', 'kube-system', '--as=system:kube-scheduler'], 'yes'],
  ];
  assert.equal(await Promise.all(asks.map(([a]) => can(a))), asks.map(([, want]) => want));
});

test('kubectl --as-uid: whoami shows the uid; it needs impersonate on uids', async () => {
  const me = JSON.parse(await ok(['auth', 'whoami', '--as=jane', '--as-group=dev', '--as-uid=u-42', '-o', 'json']));
  assert.equal(me.status.userInfo, { username: 'jane', uid: 'u-42', groups: ['dev', 'system:authenticated'] });
  await ok(['create', 'clusterrole', 'jane-impersonator', '--verb=impersonate', '--resource=users', '--resource-name=jane']);
  // A caller that may impersonate jane but no uid: a ServiceAccount's token.
  await ok(['create', 'serviceaccount', 'uid-bot', '-n', 'team']);
  await ok(['create', 'clusterrolebinding', 'uid-bot-impersonates', '--clusterrole=jane-impersonator', '--serviceaccount=team:uid-bot']);
  const token = await ok(['create', 'token', 'uid-bot', '-n', 'team']);
  // (whoami words any 403 as "not enabled or no permission": a get shows the server's answer.)
  const denied = await kubectl([`--token=${token}`, 'get', 'pods', '-n', 'team', '--as=jane', '--as-uid=u-42']);
  assert.match(denied.stderr, 'Error from server (Forbidden): uids.authentication.k8s.io "u-42" is forbidden: User "system:serviceaccount:team:uid-bot" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope');
  const plain = JSON.parse((await kubectl([`--token=${token}`, 'auth', 'whoami', '--as=jane', '-o', 'json'])).stdout);
  assert.equal(plain.status.userInfo, { username: 'jane', groups: ['system:authenticated'] });
  // A token's own user: the ServiceAccount's uid and the token's credential id.
  const self = JSON.parse((await kubectl([`--token=${token}`, 'auth', 'whoami', '-o', 'json'])).stdout);
  assert.is(self.status.userInfo.uid, await ok(['get', 'serviceaccount', 'uid-bot', '-n', 'team', '-o', 'jsonpath={.metadata.uid}']));
  assert.match(self.status.userInfo.extra['authentication.kubernetes.io/credential-id'][0], /^JTI=[0-9a-f-]{36}$/);
});

test.run();
