/**
 * Issue 17, impersonation as kube-apiserver's filter has it, through the HTTPS front:
 * Impersonate-Extra-<key> and Impersonate-Uid beside Impersonate-User and -Group, each
 * authorized by the `impersonate` verb (userextras/<key> and uids of authentication.k8s.io,
 * named by the value); extras or a uid without a user are a 400; the user's uid and extra show
 * in SelfSubjectReview and are carried by a SubjectAccessReview.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from '../../../../bus/inprocess.ts';
import { startHttpFront, type HttpFront } from '../../../../actors/apiserver/http/server.ts';
import { client } from './client.ts';
import { ActorHost } from '../../../../actors/host.ts';
import { realClock } from '../../../../base/real-clock.ts';
import { MemoryKv } from '../../../../actors/kv/memory.ts';
import { startControlPlaneCore } from '../../../../actors/apiserver/start.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'kubeactor-impersonation-'));
const bus = new InProcessBus();
let front: HttpFront;
let core: ReturnType<typeof startControlPlaneCore>;
let admin: ReturnType<typeof client>;
const json = { 'content-type': 'application/json' };
const WHOAMI = '/apis/authentication.k8s.io/v1/selfsubjectreviews';
const whoamiBody = '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}';

const post = async (as: ReturnType<typeof client>, path: string, body: unknown) => {
  const r = await as('POST', path, { body: JSON.stringify(body), headers: json });
  assert.ok(r.status < 300, `POST ${path}: ${r.status} ${r.text}`);
  return r.json();
};

test.before(async () => {
  core = startControlPlaneCore({ bus, host: new ActorHost({ bus, clock: realClock, seed: 1 }), backend: new MemoryKv() });
  await core.ready();
  front = await startHttpFront({ bus, port: 0, address: '127.0.0.1', token: 't', dataDir });
  admin = client(front.url, front.caCert, 't');
});
test.after(async () => {
  await front.close();
  core.stop();
  await bus.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('extras and a uid: whoami shows them; keys are lower-cased and %-decoded, each value kept', async () => {
  const r = await admin('POST', WHOAMI, {
    body: whoamiBody,
    headers: { ...json, 'Impersonate-User': 'jane', 'Impersonate-Uid': 'u-1234', 'Impersonate-Extra-Scopes': ['view', 'development'], 'Impersonate-Extra-Example.com%2fteam': 'blue' },
  });
  assert.is(r.status, 201, r.text);
  assert.equal(r.json().status.userInfo, { username: 'jane', uid: 'u-1234', groups: ['system:authenticated'], extra: { scopes: ['view', 'development'], 'example.com/team': ['blue'] } });
  // Key order is Kubernetes': username, uid, groups, extra.
  assert.equal(Object.keys(r.json().status.userInfo), ['username', 'uid', 'groups', 'extra']);
});

test('a ServiceAccount keeps its groups unless groups are given; system:anonymous is unauthenticated', async () => {
  const sa = await admin('POST', WHOAMI, { body: whoamiBody, headers: { ...json, 'Impersonate-User': 'system:serviceaccount:ci:bot' } });
  assert.equal(sa.json().status.userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated']);
  const grouped = await admin('POST', WHOAMI, { body: whoamiBody, headers: { ...json, 'Impersonate-User': 'system:serviceaccount:ci:bot', 'Impersonate-Group': ['dev', 'ops'] } });
  assert.equal(grouped.json().status.userInfo.groups, ['dev', 'ops', 'system:authenticated']);
  const anon = await admin('POST', WHOAMI, { body: whoamiBody, headers: { ...json, 'Impersonate-User': 'system:anonymous' } });
  assert.equal(anon.json().status.userInfo, { username: 'system:anonymous', groups: ['system:unauthenticated'] });
});

test('extras, groups or a uid without a user are a 400, in upstream\'s words', async () => {
  const uid = await admin('GET', '/api/v1/namespaces', { headers: { 'Impersonate-Uid': 'u-1' } });
  assert.is(uid.status, 400);
  assert.equal(uid.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'requested [{UID  u-1  authentication.k8s.io/v1  }] without impersonating a user', reason: 'BadRequest', code: 400 });
  const mixed = await admin('GET', '/api/v1/namespaces', { headers: { 'Impersonate-Group': 'dev', 'Impersonate-Extra-Scopes': 'view' } });
  assert.is(mixed.status, 400);
  assert.is(mixed.json().message, 'requested [{Group  dev    } {UserExtra  view  authentication.k8s.io/v1  scopes}] without impersonating a user');
});

test('each extra value and the uid need impersonate on userextras/<key> and uids, by name', async () => {
  await post(admin, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ci' } });
  await post(admin, '/api/v1/namespaces/ci/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot' } });
  const token = (await post(admin, '/api/v1/namespaces/ci/serviceaccounts/bot/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} })).status.token as string;
  const bot = client(front.url, front.caCert, token);
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  const bind = (name: string, rules: unknown[]) =>
    Promise.all([
      post(admin, `${rbac}/clusterroles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules }),
      post(admin, `${rbac}/clusterrolebindings`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'ci' }] }),
    ]);
  await bind('impersonate-jane', [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['jane'] }]);
  const whoami = (headers: Record<string, string | string[]>) => bot('POST', WHOAMI, { body: whoamiBody, headers: { ...json, 'Impersonate-User': 'jane', ...headers } });
  assert.is((await whoami({})).status, 201);
  const extra = await whoami({ 'Impersonate-Extra-Scopes': 'view' });
  assert.is(extra.status, 403);
  assert.is(extra.json().message, 'userextras.authentication.k8s.io "view" is forbidden: User "system:serviceaccount:ci:bot" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope');
  assert.equal(extra.json().details, { name: 'view', group: 'authentication.k8s.io', kind: 'userextras' });
  const uid = await whoami({ 'Impersonate-Uid': 'u-1' });
  assert.is(uid.status, 403);
  assert.is(uid.json().message, 'uids.authentication.k8s.io "u-1" is forbidden: User "system:serviceaccount:ci:bot" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope');

  await bind('impersonate-extras', [
    { apiGroups: ['authentication.k8s.io'], resources: ['userextras/scopes'], verbs: ['impersonate'], resourceNames: ['view'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['uids'], verbs: ['impersonate'], resourceNames: ['u-1'] },
  ]);
  const granted = await whoami({ 'Impersonate-Extra-Scopes': 'view', 'Impersonate-Uid': 'u-1' });
  assert.is(granted.status, 201, granted.text);
  assert.equal(granted.json().status.userInfo, { username: 'jane', uid: 'u-1', groups: ['system:authenticated'], extra: { scopes: ['view'] } });
  // Every value is asked for by name: a second scope is not granted by the first.
  assert.is((await whoami({ 'Impersonate-Extra-Scopes': ['view', 'edit'] })).json().message, 'userextras.authentication.k8s.io "edit" is forbidden: User "system:serviceaccount:ci:bot" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope');
  assert.is((await whoami({ 'Impersonate-Uid': 'u-2' })).status, 403);
});

test('a SubjectAccessReview carries spec.uid and spec.extra; RBAC decides by user and groups alone', async () => {
  const spec = { user: 'jane', uid: 'u-1', groups: ['system:masters'], extra: { scopes: ['view'] }, resourceAttributes: { verb: 'delete', resource: 'nodes' } };
  const r = await post(admin, '/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec });
  assert.equal(r.spec, spec);
  assert.is(r.status.allowed, true);
  const plain = await post(admin, '/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { ...spec, groups: [] } });
  assert.is(plain.status.allowed, false, 'an extra grants nothing');
});

test.run();
