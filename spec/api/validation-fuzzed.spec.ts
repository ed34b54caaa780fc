/**
 * Regressions found by spec/api/validation.property.spec.ts (seed 20261205): objects whose
 * required strings are missing reached validation and defaulting, which threw (a 500) where
 * Go reads the missing string as "" and answers 422 — or, for a Job, defaults without a template.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kindByGvk } from '../../api/kinds.ts';
import type { KubeObject } from '../../base/object.ts';

const run = (apiVersion: string, kind: string, obj: object) => {
  const k = kindByGvk(apiVersion, kind)!;
  const next = k.defaults({ apiVersion, kind, metadata: { name: 'a', namespace: 'default' }, ...obj } as KubeObject);
  return { obj: next, causes: k.validate(next) };
};

test('a selector requirement without key and operator is invalid, field by field (Deployment, PDB, webhooks share it)', () => {
  const { causes } = run('apps/v1', 'Deployment', { spec: { selector: { matchExpressions: [{}] } } });
  const at = (f: string) => causes.filter((c) => c.field === f).map((c) => c.message);
  assert.equal(at('spec.selector.matchExpressions[0].operator'), ['Invalid value: "": not a valid selector operator']);
  assert.ok(at('spec.selector.matchExpressions[0].key').some((m) => (m ?? '').includes('name part must be non-empty')));
});

test('a LimitRange item without a type is invalid, not a crash', () => {
  const { causes } = run('v1', 'LimitRange', { spec: { limits: [{}] } });
  assert.ok(causes.some((c) => c.field === 'spec.limits[0].type' && (c.message ?? '').includes('name part must be non-empty')));
});

test('a Job without a spec is defaulted (selector and template labels) and then found invalid', () => {
  const { obj, causes } = run('batch/v1', 'Job', { metadata: { name: 'a', namespace: 'default', uid: 'u1' } });
  const spec = obj.spec as { template: { metadata: { labels: Record<string, string> } } };
  assert.is(spec.template.metadata.labels['batch.kubernetes.io/job-name'], 'a');
  assert.ok(causes.length > 0);
});

test.run();
