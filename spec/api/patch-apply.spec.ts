import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recordUpdate, serverSideApply, type ManagedFieldsEntry } from '../../api/patch/apply.ts';
import { fieldSetOf } from '../../api/patch/fieldset.ts';
import { deploymentKind } from '../../api/kinds/apps/deployment.ts';
import { podKind } from '../../api/kinds/core/pod.ts';

const DEPLOYMENT = deploymentKind;
const NOW = '2024-05-01T10:00:00Z';
const config = (replicas: number, image = 'nginx:1.25', extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } }, ...extra },
});
const entries = (obj: Record<string, unknown>): ManagedFieldsEntry[] => (obj.metadata as { managedFields: ManagedFieldsEntry[] }).managedFields;

test('FieldsV1 notation: f: fields, k: keyed items with ".", atomic lists as leaves', () => {
  const set = fieldSetOf(DEPLOYMENT, config(2));
  assert.equal(set, {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': { 'f:matchLabels': { 'f:app': {} } },
      'f:template': { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:name': {}, 'f:image': {} } } } },
    },
  });
  assert.equal(fieldSetOf(podKind, { metadata: { finalizers: ['a/b'] }, spec: { tolerations: [{ key: 'x' }] } }), {
    'f:metadata': { 'f:finalizers': { 'v:"a/b"': {} } },
    'f:spec': { 'f:tolerations': {} },
  });
});

test('apply creates and records an Apply entry', () => {
  const r = serverSideApply({ live: undefined, config: config(2), manager: 'kubectl', kind: DEPLOYMENT, now: NOW });
  assert.ok(r.ok);
  if (!r.ok) return;
  const [e] = entries(r.value);
  assert.equal({ ...e, fieldsV1: undefined }, { manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: NOW, fieldsType: 'FieldsV1', fieldsV1: undefined });
  assert.is((r.value.spec as { replicas: number }).replicas, 2);
});

test('a different value on a field another manager owns is a conflict unless forced', () => {
  const first = serverSideApply({ live: undefined, config: config(2), manager: 'kubectl', kind: DEPLOYMENT, now: NOW });
  assert.ok(first.ok);
  if (!first.ok) return;
  const same = serverSideApply({ live: first.value, config: config(2), manager: 'ci', kind: DEPLOYMENT, now: NOW });
  assert.ok(same.ok, 'equal values are shared, not conflicting');
  const clash = serverSideApply({ live: first.value, config: config(3), manager: 'ci', kind: DEPLOYMENT, now: NOW });
  assert.not.ok(clash.ok);
  if (!clash.ok) {
    assert.is(clash.status.code, 409);
    assert.is(clash.status.message, 'Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas');
    assert.equal(clash.status.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl" using apps/v1', field: '.spec.replicas' }]);
  }
  const forced = serverSideApply({ live: first.value, config: config(3), manager: 'ci', kind: DEPLOYMENT, now: NOW, force: true });
  assert.ok(forced.ok);
  if (!forced.ok) return;
  assert.is((forced.value.spec as { replicas: number }).replicas, 3);
  const kubectl = entries(forced.value).find((e) => e.manager === 'kubectl');
  assert.not.ok(kubectl && 'f:replicas' in (kubectl.fieldsV1['f:spec'] ?? {}), 'the forced field moved to the new manager');
});

test('a field dropped from the configuration is removed unless someone else owns it', () => {
  const first = serverSideApply({ live: undefined, config: config(2, 'nginx:1.25', { minReadySeconds: 5 }), manager: 'kubectl', kind: DEPLOYMENT, now: NOW });
  assert.ok(first.ok);
  if (!first.ok) return;
  const second = serverSideApply({ live: first.value, config: config(2), manager: 'kubectl', kind: DEPLOYMENT, now: NOW });
  assert.ok(second.ok);
  if (second.ok) assert.not.ok('minReadySeconds' in (second.value.spec as object));
  const shared = serverSideApply({ live: first.value, config: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { minReadySeconds: 5 } }, manager: 'other', kind: DEPLOYMENT, now: NOW });
  assert.ok(shared.ok);
  if (!shared.ok) return;
  const third = serverSideApply({ live: shared.value, config: config(2), manager: 'kubectl', kind: DEPLOYMENT, now: NOW });
  assert.ok(third.ok);
  if (third.ok) assert.is((third.value.spec as { minReadySeconds: number }).minReadySeconds, 5);
});

test('an ordinary update takes ownership of what it changed', () => {
  const first = serverSideApply({ live: undefined, config: config(2), manager: 'kubectl', kind: DEPLOYMENT, now: NOW });
  assert.ok(first.ok);
  if (!first.ok) return;
  const next = structuredClone(first.value);
  (next.spec as { replicas: number }).replicas = 5;
  const updated = recordUpdate(first.value, next, 'kube-controller-manager', DEPLOYMENT, NOW);
  const es = entries(updated);
  const kcm = es.find((e) => e.manager === 'kube-controller-manager');
  assert.equal(kcm?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.is(kcm?.operation, 'Update');
  const kubectl = es.find((e) => e.manager === 'kubectl');
  assert.not.ok('f:replicas' in (kubectl?.fieldsV1['f:spec'] ?? {}));
  const clash = serverSideApply({ live: updated, config: config(2), manager: 'kubectl', kind: DEPLOYMENT, now: NOW });
  assert.not.ok(clash.ok, 'kubectl applying replicas: 2 again now conflicts with the controller');
});

test.run();
