import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AdmissionAttributes } from '../../../api/admission/attributes.ts';
import { webhookCallFailed, webhookDenied, policyDenied } from '../../../api/admission/errors.ts';
import { admissionReview, applyReviewPatch, readReviewResponse, reviewVersion } from '../../../api/admission/review.ts';

const attrs: AdmissionAttributes = {
  operation: 'UPDATE',
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  subresource: 'status',
  kind: 'Deployment',
  namespaced: true,
  namespace: 'default',
  name: 'web',
  object: { metadata: { name: 'web' } },
  oldObject: { metadata: { name: 'web', labels: { old: 'yes' } } },
  user: { username: 'alice', groups: ['devs'] },
  dryRun: true,
  fieldManager: 'kubectl',
};

const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64');
const answer = (response: Record<string, unknown>, uid = 'u1') => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, ...response } });

test('the AdmissionReview v1 request carries the attributes as upstream names them', () => {
  const r = admissionReview(attrs, 'u1') as { apiVersion: string; kind: string; request: Record<string, unknown> };
  assert.is(r.apiVersion, 'admission.k8s.io/v1');
  assert.is(r.kind, 'AdmissionReview');
  assert.equal(r.request.kind, { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.equal(r.request.resource, { group: 'apps', version: 'v1', resource: 'deployments' });
  assert.is(r.request.subResource, 'status');
  assert.is(r.request.operation, 'UPDATE');
  assert.is(r.request.uid, 'u1');
  assert.is(r.request.dryRun, true);
  assert.equal(r.request.userInfo, { username: 'alice', groups: ['devs'] });
  assert.equal(r.request.options, { kind: 'UpdateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl' });
  assert.equal(r.request.oldObject, attrs.oldObject);
  const del = admissionReview({ ...attrs, operation: 'DELETE', object: undefined }, 'u2') as { request: Record<string, unknown> };
  assert.is(del.request.object, null);
  assert.is((del.request.options as { kind: string }).kind, 'DeleteOptions');
});

test('the review version is the first of the webhook list the server speaks', () => {
  assert.is(reviewVersion(['v2', 'v1beta1', 'v1']), 'v1beta1');
  assert.is(reviewVersion(['v2']), undefined);
});

test('a mutating answer: its JSON patch applies to the object', () => {
  const patch = [{ op: 'add', path: '/metadata/labels', value: { injected: 'true' } }];
  const read = readReviewResponse(answer({ allowed: true, patchType: 'JSONPatch', patch: b64(patch), warnings: ['careful'] }), 'u1', 'v1', true);
  assert.ok(read.ok && read.verdict.allowed);
  if (!read.ok || !read.verdict.allowed) return;
  assert.equal(read.verdict.warnings, ['careful']);
  const out = applyReviewPatch({ metadata: { name: 'web' } }, read.verdict.patch!);
  assert.ok(out.ok);
  if (out.ok) assert.equal(out.object, { metadata: { name: 'web', labels: { injected: 'true' } } });
  const bad = applyReviewPatch({ metadata: { name: 'web' } }, [{ op: 'replace', path: '/spec/missing', value: 1 }]);
  assert.not.ok(bad.ok);
  if (!bad.ok) assert.match(bad.reason, /^JSON Patch: /);
});

test('invalid answers are failed calls, worded as upstream', () => {
  const reason = (body: unknown, mutating = false) => {
    const r = readReviewResponse(body, 'u1', 'v1', mutating);
    return r.ok ? '' : r.reason;
  };
  assert.is(reason(answer({ allowed: true }, 'other')), 'received invalid webhook response: expected response.uid="u1", got "other"');
  assert.is(reason({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), 'received invalid webhook response: webhook response was absent');
  assert.match(reason({ apiVersion: 'v1', kind: 'Status' }), 'expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview');
  assert.match(reason(answer({ allowed: true, patchType: 'JSONPatch', patch: b64([]) })), 'validating webhooks may not return');
  assert.match(reason(answer({ allowed: true, patch: b64([]) }), true), 'webhook returned response.patch but not response.patchType');
  assert.match(reason(answer({ allowed: true, patchType: 'MergePatch', patch: b64({}) }), true), 'invalid response.patchType of "MergePatch"');
});

test('a denial reads as upstream renders it: message, else reason, code at least 400', () => {
  const read = readReviewResponse(answer({ allowed: false, status: { code: 403, reason: 'Forbidden', message: 'no privileged pods' } }), 'u1', 'v1', false);
  assert.ok(read.ok && !read.verdict.allowed);
  if (!read.ok || read.verdict.allowed) return;
  const s = webhookDenied('policy.example.com', read.verdict.refusal);
  assert.is(s.code, 403);
  assert.is(s.reason, 'Forbidden');
  assert.is(s.message, 'admission webhook "policy.example.com" denied the request: no privileged pods');
  assert.is(webhookDenied('w.example.com', { reason: 'NotAllowed' }).message, 'admission webhook "w.example.com" denied the request: NotAllowed');
  const bare = webhookDenied('w.example.com', { code: 200 });
  assert.is(bare.message, 'admission webhook "w.example.com" denied the request without explanation');
  assert.is(bare.code, 400);
});

test('a failed call under Fail is an InternalError naming the webhook', () => {
  const s = webhookCallFailed('w.example.com', 'failed to call webhook: Post "https://127.0.0.1:1/x?timeout=10s": context deadline exceeded');
  assert.is(s.code, 500);
  assert.is(s.message, 'Internal error occurred: failed calling webhook "w.example.com": failed to call webhook: Post "https://127.0.0.1:1/x?timeout=10s": context deadline exceeded');
});

test("a policy's denial: NewForbidden's text with the validation's reason (Invalid by default)", () => {
  const s = policyDenied({ group: 'apps', resource: 'deployments', name: 'web' }, 'p', 'b', 'too many');
  assert.is(s.message, `deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: too many`);
  assert.is(s.code, 422);
  assert.is(policyDenied({ group: '', resource: 'pods', name: 'x' }, 'p', 'b', 'no', 'Forbidden').code, 403);
});

test.run();
