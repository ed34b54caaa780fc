import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import { startHttpFront, type HttpFront } from '../../../actors/apiserver/http/server.ts';
import { start, t, type Harness } from './harness.ts';
import { client } from './http/client.ts';

let h: Harness;
let front: HttpFront | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'kubeactor-bound-tokens-'));
test.before.each(async () => {
  h = await start();
  await h.client().must('api.create', { target: t.nodes(), object: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } } as KubeObject });
  await h.client().must('api.create', { target: sa(), object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } } as KubeObject });
  await h.client().must('api.create', { target: t.pods(), object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { serviceAccountName: 'builder', nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx:1.27' }] } } as KubeObject });
});
test.after.each(async () => {
  await front?.close();
  front = undefined;
  await h.close();
});
test.after(() => rmSync(dataDir, { recursive: true, force: true }));

const API = 'https://kubernetes.default.svc.cluster.local';
const sa = (name?: string, subresource?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'serviceaccounts', namespace: 'default', ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) });
const uidOf = async (target: ApiTarget) => (await h.client().must('api.get', { target })).metadata!.uid!;
const request = (spec: Record<string, unknown>, account = 'builder') =>
  h.client().call('api.create', { target: sa(account, 'token'), object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } as KubeObject });
async function token(spec: Record<string, unknown>): Promise<{ token: string; expirationTimestamp: string; spec: Record<string, unknown> }> {
  const r = await request(spec);
  if (!r.ok) throw new Error(r.status.message);
  return { ...(r.value.object.status as { token: string; expirationTimestamp: string }), spec: r.value.object.spec as Record<string, unknown> };
}
const claimsOf = (tok: string) => JSON.parse(Buffer.from(tok.split('.')[1]!, 'base64url').toString()) as Record<string, unknown> & { iat: number; nbf: number; exp: number; jti: string };
const review = async (tok: string) =>
  (await h.client().must('api.create', { target: { group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews' }, object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: tok } } as KubeObject })).object.status as {
    authenticated: boolean;
    error?: string;
    user: { username?: string; extra?: Record<string, string[]> };
  };
const podRef = (uid?: string) => ({ apiVersion: 'v1', kind: 'Pod', name: 'web', ...(uid ? { uid } : {}) });

test('a token bound to a pod carries Kubernetes\' claims: pod, node, service account, iat/nbf/exp, aud; TokenReview adds the extra info', async () => {
  const podUid = await uidOf(t.pods('default', 'web'));
  const got = await token({ boundObjectRef: podRef(podUid) });
  assert.equal(got.spec.boundObjectRef, podRef(podUid), 'the reference is echoed');
  const c = claimsOf(got.token);
  assert.equal(c['kubernetes.io'], {
    namespace: 'default',
    serviceaccount: { name: 'builder', uid: await uidOf(sa('builder')) },
    pod: { name: 'web', uid: podUid },
    node: { name: 'node-1', uid: await uidOf(t.nodes('node-1')) },
  });
  assert.equal(c.aud, [API]);
  assert.is(c.sub, 'system:serviceaccount:default:builder');
  assert.is(c.iss, API);
  assert.is(c.iat, Math.floor(h.clock.now() / 1000));
  assert.is(c.nbf, c.iat);
  assert.is(c.exp - c.iat, 3600, 'expirationSeconds defaults to an hour');
  assert.is(Date.parse(got.expirationTimestamp), c.exp * 1000);
  const r = await review(got.token);
  assert.is(r.authenticated, true);
  assert.equal(r.user.extra, {
    'authentication.kubernetes.io/pod-name': ['web'],
    'authentication.kubernetes.io/pod-uid': [podUid],
    'authentication.kubernetes.io/node-name': ['node-1'],
    'authentication.kubernetes.io/node-uid': [await uidOf(t.nodes('node-1'))],
    'authentication.kubernetes.io/credential-id': [`JTI=${c.jti}`],
  });
});

test('boundObjectRef is checked as upstream: the object must exist, run as the account and match the uid', async () => {
  const expect = async (spec: Record<string, unknown>, code: number, message: string, account = 'builder') => {
    const r = await request(spec, account);
    assert.is(!r.ok && r.status.code, code, message);
    assert.is(!r.ok && r.status.message, message);
  };
  await expect({ boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'ghost' } }, 404, 'pods "ghost" not found');
  await expect({ boundObjectRef: podRef('not-the-uid') }, 409, 'Operation cannot be fulfilled on Pod "web": the UID in the bound object reference (not-the-uid) does not match the UID in record. The object might have been deleted and then recreated');
  await expect({ boundObjectRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } }, 400, 'cannot bind token to object of type apps/v1, Kind=Deployment');
  await h.client().must('api.create', { target: sa(), object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'other' } } as KubeObject });
  await expect({ boundObjectRef: podRef() }, 400, 'cannot bind token for serviceaccount "other" to pod running with different serviceaccount name.', 'other');
  await expect({ expirationSeconds: 599 }, 422, 'TokenRequest.authentication.k8s.io "builder" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes');
  // Secret- and Node-bound tokens carry their object.
  await h.client().must('api.create', { target: { group: '', version: 'v1', resource: 'secrets', namespace: 'default' }, object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } } as KubeObject });
  const bySecret = claimsOf((await token({ boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: 's' } })).token)['kubernetes.io'] as Record<string, unknown>;
  assert.equal(bySecret.secret, { name: 's', uid: await uidOf({ group: '', version: 'v1', resource: 'secrets', namespace: 'default', name: 's' }) });
  const byNode = await token({ boundObjectRef: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } });
  assert.equal((claimsOf(byNode.token)['kubernetes.io'] as Record<string, unknown>).node, { name: 'node-1', uid: await uidOf(t.nodes('node-1')) });
  await h.client().must('api.delete', { target: t.nodes('node-1') });
  assert.equal(await review(byNode.token), { authenticated: false, user: {}, error: 'service account token has been invalidated' }, 'a node-bound token ends with its node');
});

test('a pod-bound token stops authenticating once its pod is deleted — TokenReview and REST — after the 60 s grace past deletionTimestamp', async () => {
  front = await startHttpFront({ bus: h.bus, port: 0, address: '127.0.0.1', token: 'admin-token', dataDir });
  const got = await token({ boundObjectRef: podRef(), expirationSeconds: 86400 });
  const asPod = client(front.url, front.caCert, got.token);
  const whoami = () => asPod('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}', headers: { 'content-type': 'application/json' } });
  assert.is((await whoami()).status, 201);
  // Graceful deletion (no kubelet here confirms it): the pod stays, marked, 30 s out.
  await h.client().must('api.delete', { target: t.pods('default', 'web'), options: { gracePeriodSeconds: 30 } });
  assert.is((await review(got.token)).authenticated, true, 'still valid while the pod terminates');
  await h.clock.advance(89_000);
  assert.is((await review(got.token)).authenticated, true, 'within 60 s of deletionTimestamp');
  await h.clock.advance(2_000);
  assert.equal(await review(got.token), { authenticated: false, user: {}, error: 'service account token has been invalidated' });
  await h.client().must('api.delete', { target: t.pods('default', 'web'), options: { gracePeriodSeconds: 0 } });
  assert.is((await review(got.token)).authenticated, false);
  assert.is((await whoami()).status, 401, 'REST refuses it too');
  // A new pod with the same name is another object: the old token stays dead.
  await h.client().must('api.create', { target: t.pods(), object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { serviceAccountName: 'builder', containers: [{ name: 'app', image: 'nginx:1.27' }] } } as KubeObject });
  assert.match((await review(got.token)).error ?? '', /^pod UID \(.+\) does not match service account pod ref claim \(.+\)$/);
});

test('kube-api-access\'s 3607 s: a pod-bound token for the apiserver lives a year, warning after 3607 s; the status says 3607 s', async () => {
  const got = await token({ boundObjectRef: podRef(), expirationSeconds: 3607 });
  const c = claimsOf(got.token);
  assert.is(c.exp - c.iat, 365 * 24 * 3600);
  assert.is((c['kubernetes.io'] as { warnafter: number }).warnafter, c.iat + 3607);
  assert.is(Date.parse(got.expirationTimestamp), (c.iat + 3607) * 1000);
  await h.clock.advance(3700_000);
  assert.is((await review(got.token)).authenticated, true, 'past 3607 s it still works (upstream only warns)');
  // Not for another audience, and not unbound.
  const vault = claimsOf((await token({ boundObjectRef: podRef(), expirationSeconds: 3607, audiences: ['https://vault.example.com'] })).token);
  assert.is(vault.exp - vault.iat, 3607);
  const unbound = claimsOf((await token({ expirationSeconds: 3607 })).token);
  assert.is(unbound.exp - unbound.iat, 3607);
  assert.is((unbound['kubernetes.io'] as { warnafter?: number }).warnafter, undefined);
});

test.run();
