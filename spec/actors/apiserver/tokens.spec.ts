import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import { startHttpFront, type HttpFront } from '../../../actors/apiserver/http/server.ts';
import { start, type Harness } from './harness.ts';
import { client } from './http/client.ts';
import { writeKubeconfig } from '../../../actors/apiserver/http/kubeconfig.ts';

let h: Harness;
/** The uid of the ServiceAccount `builder`: its tokens' user's uid. */
let builderUid = '';
let front: HttpFront | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'kubeactor-tokens-'));
test.before.each(async () => {
  h = await start();
  await h.client().must('api.create', { target: { group: '', version: 'v1', resource: 'namespaces' }, object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ci' } } as KubeObject });
  const builder = await h.client().must('api.create', { target: sa(), object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } } as KubeObject });
  builderUid = builder.object.metadata?.uid ?? '';
});
test.after.each(async () => {
  await front?.close();
  front = undefined;
  await h.close();
});
test.after(() => rmSync(dataDir, { recursive: true, force: true }));

const sa = (name?: string, subresource?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'serviceaccounts', namespace: 'ci', ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) });
const reviewT: ApiTarget = { group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews' };
const SA_USER = { username: 'system:serviceaccount:ci:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'] };
/** The token's claims (its middle part). */
const claimsOf = (tok: string) => JSON.parse(Buffer.from(tok.split('.')[1]!, 'base64url').toString()) as Record<string, unknown> & { jti: string };
/** TokenReview's user for a token: the account with its uid, and the token's credential id as upstream's extra. */
const reviewedUser = (tok: string, extra: Record<string, string[]> = {}) => ({ ...SA_USER, uid: builderUid, extra: { ...extra, 'authentication.kubernetes.io/credential-id': [`JTI=${claimsOf(tok).jti}`] } });

async function token(spec: Record<string, unknown> = {}): Promise<string> {
  const r = await h.client().must('api.create', { target: sa('builder', 'token'), object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } as KubeObject });
  return (r.object.status as { token: string }).token;
}
const review = async (tok: string) => (await h.client().must('api.create', { target: reviewT, object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: tok } } as KubeObject })).object.status as { authenticated: boolean; user?: unknown };

test('a TokenRequest gives a token that authenticates as its ServiceAccount', async () => {
  const r = await h.client().must('api.create', { target: sa('builder', 'token'), object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } } as KubeObject });
  assert.is(r.object.kind, 'TokenRequest');
  const st = r.object.status as { token: string; expirationTimestamp: string };
  assert.match(st.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.is(Date.parse(st.expirationTimestamp), Math.floor(h.clock.now() / 1000) * 1000 + 600_000);
  assert.equal(await review(st.token), { authenticated: true, user: reviewedUser(st.token), audiences: ['https://kubernetes.default.svc.cluster.local'] });
  // Minting a token must not leave consistent reads waiting for a revision the cache never sees.
  assert.is((await h.client().call('api.list', { target: sa() })).ok, true);
});

test('a forged, expired or orphaned token does not authenticate; a missing account gets no token', async () => {
  const tok = await token();
  const [a, b, c] = tok.split('.');
  const forged = `${a}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(b!, 'base64url').toString()), sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url')}.${c}`;
  assert.is((await review(forged)).authenticated, false);
  assert.is((await review('not-a-token')).authenticated, false);
  await h.clock.advance(3600_000 + 1000);
  assert.is((await review(tok)).authenticated, false, 'expired after the default hour');
  const fresh = await token();
  await h.client().must('api.delete', { target: sa('builder') });
  assert.is((await review(fresh)).authenticated, false, 'the account is gone');
  const none = await h.client().call('api.create', { target: sa('ghost', 'token'), object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } as KubeObject });
  assert.is(!none.ok && none.status.code, 404);
  const short = await h.client().call('api.create', { target: sa('builder', 'token'), object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 60 } } as KubeObject });
  assert.is(!short.ok && short.status.code, 422);
});

test('through the HTTPS front: the token is the ServiceAccount user; the admin token still works', async () => {
  front = await startHttpFront({ bus: h.bus, port: 0, address: '127.0.0.1', token: 'admin-token', dataDir });
  const admin = client(front.url, front.caCert, 'admin-token');
  const created = await admin('POST', '/api/v1/namespaces/ci/serviceaccounts/builder/token', { body: '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}}', headers: { 'content-type': 'application/json' } });
  assert.is(created.status, 201);
  const tok = created.json().status.token as string;
  const whoami = async (bearer: string) => client(front!.url, front!.caCert, bearer)('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}', headers: { 'content-type': 'application/json' } });
  const me = await whoami(tok);
  assert.is(me.status, 201);
  assert.ok(builderUid);
  assert.equal(me.json().status.userInfo, reviewedUser(tok), 'whoami shows the account\'s uid and the token\'s extra');
  assert.equal((await whoami('admin-token')).json().status.userInfo.username, 'kubeactor-admin');
  assert.is((await whoami('wrong')).status, 401);
});

const API = 'https://kubernetes.default.svc.cluster.local';
const VAULT = 'https://vault.example.com';
const reviewFor = async (tok: string, audiences?: string[]) =>
  (await h.client().must('api.create', { target: reviewT, object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: tok, ...(audiences ? { audiences } : {}) } } as KubeObject })).object as KubeObject & { spec: unknown; status: Record<string, unknown> };

test('audiences: a token for another audience is not the apiserver\'s; TokenReview spec.audiences narrow as in Kubernetes', async () => {
  const plain = await h.client().must('api.create', { target: sa('builder', 'token'), object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } as KubeObject });
  assert.equal((plain.object.spec as { audiences: string[] }).audiences, [API], 'no audiences asked: the apiserver\'s own');
  const vault = await token({ audiences: [VAULT] });
  assert.equal((await reviewFor(vault)).status, {
    authenticated: false,
    user: {},
    error: `token audiences ["${VAULT}"] is invalid for the target audiences ["${API}"]`,
  });
  // A service reviewing tokens made for it names its audience; the matched ones come back.
  const forVault = await reviewFor(vault, [VAULT, 'https://other']);
  assert.equal(forVault.status, { authenticated: true, user: reviewedUser(vault), audiences: [VAULT] });
  assert.equal(forVault.spec, { audiences: [VAULT, 'https://other'] }, 'the token is not echoed');
  const apiTok = await token();
  assert.is((await reviewFor(apiTok, [VAULT])).status.authenticated, false, 'an apiserver token is no vault token');
  const both = await token({ audiences: [VAULT, API] });
  assert.equal((await reviewFor(both)).status.audiences, [API]);
});

test('through the front and the real kubectl: a token made with --audience elsewhere is 401; one for the apiserver works', async () => {
  front = await startHttpFront({ bus: h.bus, port: 0, address: '127.0.0.1', token: 'admin-token', dataDir });
  const kubeconfig = await writeKubeconfig({ dataDir, server: front.url, token: 'admin-token', caCert: front.caCert });
  const kubectl = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('kubectl', ['--request-timeout=20s', ...args], { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });
  const made = await kubectl(['create', 'token', 'builder', '-n', 'ci', `--audience=${VAULT}`]);
  assert.is(made.code, 0, made.stderr);
  const vault = made.stdout.trim();
  const asVault = await kubectl(['get', 'configmaps', '-n', 'ci', `--token=${vault}`]);
  assert.is.not(asVault.code, 0);
  assert.match(asVault.stderr, /You must be logged in to the server \(the server has asked for the client to provide credentials\)/, asVault.stderr);
  const list = await client(front.url, front.caCert, vault)('GET', '/api/v1/namespaces/ci/configmaps');
  assert.is(list.status, 401);
  assert.is(list.json().kind, 'Status');
  assert.is(list.json().reason, 'Unauthorized');
  const mine = (await kubectl(['create', 'token', 'builder', '-n', 'ci'])).stdout.trim();
  const who = await kubectl(['auth', 'whoami', `--token=${mine}`, '-o', 'jsonpath={.status.userInfo.username}']);
  assert.is(who.stdout, 'system:serviceaccount:ci:builder', who.stderr);
});

test.run();
