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

const dataDir = mkdtempSync(join(tmpdir(), 'kubeactor-reviews-'));
const bus = new InProcessBus();
let front: HttpFront;
let core: ReturnType<typeof startControlPlaneCore>;
let call: ReturnType<typeof client>;
const json = { 'content-type': 'application/json' };

test.before(async () => {
  // The authorization reviews are answered by the apiserver's authorizer chain.
  core = startControlPlaneCore({ bus, host: new ActorHost({ bus, clock: realClock, seed: 1 }), backend: new MemoryKv() });
  await core.ready();
  front = await startHttpFront({ bus, port: 0, address: '127.0.0.1', token: 't', dataDir });
  call = client(front.url, front.caCert, 't');
});
test.after(async () => {
  await front.close();
  core.stop();
  await bus.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('whoami: the token\'s user', async () => {
  const r = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}', headers: json });
  assert.is(r.status, 201);
  assert.equal(r.json().status.userInfo, { username: 'kubeactor-admin', groups: ['system:masters', 'system:authenticated'] });
});

test('can-i: system:masters may do anything; the spec is echoed', async () => {
  const spec = { resourceAttributes: { namespace: 'kube-system', verb: 'delete', resource: 'pods' } };
  const r = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { body: JSON.stringify({ spec }), headers: json });
  assert.is(r.status, 201);
  assert.equal(r.json().spec, spec);
  assert.is(r.json().status.allowed, true);
  const rules = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { body: '{"spec":{"namespace":"default"}}', headers: json });
  // cluster-admin's rules first (the bootstrap binding of system:masters), then those of system:authenticated.
  assert.equal(rules.json().status.resourceRules[0], { verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
  assert.equal(rules.json().status.nonResourceRules[0], { verbs: ['*'], nonResourceURLs: ['*'] });
});

test('reviews are create-only and discoverable', async () => {
  assert.is((await call('GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).status, 405);
  const v1 = (await call('GET', '/apis/authorization.k8s.io/v1')).json();
  assert.equal(v1.resources.map((r: any) => r.name), ['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews', 'localsubjectaccessreviews']);
});

test.run();
