/**
 * The front's view of a kind asked for at another served version: apiVersion rewriting for a
 * kind without a converter (a CRD with `conversion: None`), and field conversion through the
 * kind's `convertVersion` hook (autoscaling/v1 HorizontalPodAutoscaler), objects and list
 * items alike.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expandServedVersions, versionView } from '../../../api/crd/served-versions.ts';
import { horizontalPodAutoscalerKind } from '../../../api/kinds/autoscaling/horizontalpodautoscaler.ts';

const served = expandServedVersions([horizontalPodAutoscalerKind]);
const v1 = served.find((k) => k.version === 'v1')!;

test('each served version is a kind; the stored one needs no view', () => {
  assert.equal(served.map((k) => [k.version, k.servedAs]), [['v2', undefined], ['v1', 'v2']]);
  assert.is(versionView(served[0]!), undefined);
});

test('a converter turns objects, lists and their items between versions', () => {
  const view = versionView(v1)!;
  const stored = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] } };
  const out = view.out(stored) as { apiVersion: string; spec: Record<string, unknown> };
  assert.is(out.apiVersion, 'autoscaling/v1');
  assert.equal(out.spec, { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, targetCPUUtilizationPercentage: 70 });
  assert.equal(view.in(out), stored);
  const { apiVersion: _a, kind: _k, ...item } = stored;
  const list = view.out({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscalerList', items: [item] }) as { apiVersion: string; items: Record<string, unknown>[] };
  assert.is(list.apiVersion, 'autoscaling/v1');
  assert.equal(list.items[0], { metadata: { name: 'web' }, spec: out.spec });
});

test('without a converter only apiVersion changes', () => {
  const k = { group: 'example.com', version: 'v1beta1', servedAs: 'v1', kind: 'Widget', resource: 'widgets', namespaced: true, verbs: ['get'] };
  const view = versionView(k)!;
  assert.equal(view.in({ apiVersion: 'example.com/v1beta1', kind: 'Widget', spec: { a: 1 } }), { apiVersion: 'example.com/v1', kind: 'Widget', spec: { a: 1 } });
  assert.equal(view.out({ apiVersion: 'example.com/v1', kind: 'Widget', spec: { a: 1 } }), { apiVersion: 'example.com/v1beta1', kind: 'Widget', spec: { a: 1 } });
});

test.run();
