import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../../base/object.ts';
import { conversionReview, conversionReviewVersion, gvkString, readConversionResponse } from '../../../api/crd/conversion-review.ts';

const GVK = gvkString('example.com/v1', 'Widget');
const sent = [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default', uid: 'u1', resourceVersion: '7', labels: { a: '1' } }, spec: { size: 'L' } }] as KubeObject[];
const converted = (o: Record<string, unknown> = {}) => ({ ...sent[0], apiVersion: 'example.com/v2', spec: { dimension: 'L' }, ...o });
const answer = (response: Record<string, unknown>) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response: { uid: 'r1', result: { status: 'Success' }, ...response } });
const read = (body: unknown) => readConversionResponse(body, 'r1', 'example.com/v2', sent, GVK);
const message = (r: ReturnType<typeof read>) => (r.ok ? 'ok' : `${r.status.code} ${r.status.message}`);

test('the review version: the webhook\'s first one this apiserver speaks; none known is none', () => {
  assert.is(conversionReviewVersion(['v1beta1', 'v1']), 'v1beta1');
  assert.is(conversionReviewVersion(['v2', 'v1']), 'v1');
  assert.is(conversionReviewVersion(['v3']), undefined);
  assert.equal(conversionReview('r1', 'example.com/v2', sent, 'v1'), { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'r1', desiredAPIVersion: 'example.com/v2', objects: sent } });
});

test('a good answer: the converted objects, metadata restored but for labels and annotations', () => {
  const r = read(answer({ convertedObjects: [converted({ metadata: { ...sent[0]!.metadata, resourceVersion: '99', labels: { b: '2' }, annotations: { n: 'x' } } })] }));
  assert.ok(r.ok);
  assert.equal(r.ok && r.value[0], { ...converted(), metadata: { ...sent[0]!.metadata, labels: { b: '2' }, annotations: { n: 'x' } } });
});

test('the answer is checked as upstream, each failure in its words, as a 500', () => {
  assert.is(message(read(answer({ uid: 'other' }))), `500 conversion webhook for ${GVK} failed: expected response.uid="r1", got "other"`);
  assert.is(message(read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview' })), `500 conversion webhook for ${GVK} failed: no response provided`);
  assert.is(message(read(answer({ result: { status: 'Failure', message: 'cannot convert a square' } }))), `500 conversion webhook for ${GVK} failed: cannot convert a square`);
  assert.is(message(read(answer({ result: { status: 'Failure' } }))), `500 conversion webhook for ${GVK} failed: response.result.status was 'Failure', not 'Success'`);
  assert.is(message(read(answer({ convertedObjects: [] }))), `500 conversion webhook for ${GVK} returned 0 objects, expected 1`);
  const at0 = `500 conversion webhook for ${GVK} returned invalid converted object at index 0:`;
  assert.is(message(read(answer({ convertedObjects: [converted({ apiVersion: 'example.com/v1' })] }))), `${at0} invalid groupVersion (expected example.com/v2, received example.com/v1)`);
  assert.is(message(read(answer({ convertedObjects: [converted({ kind: 'Gadget' })] }))), `${at0} invalid kind (expected Widget, received Gadget)`);
  assert.is(message(read(answer({ convertedObjects: [converted({ metadata: { ...sent[0]!.metadata, name: 'x' } })] }))), `${at0} must have the same name: w != x`);
  assert.is(message(read(answer({ convertedObjects: [converted({ metadata: { ...sent[0]!.metadata, uid: 'u2' } })] }))), `${at0} must have the same UID: u1 != u2`);
  const r = read(answer({ uid: 'other' }));
  assert.is(!r.ok && r.status.reason, '');
});

test.run();
