/**
 * Each served version of a kind is a kind of its own for discovery; the kind's conversion
 * (here autoscaling/v1 beside autoscaling/v2 HorizontalPodAutoscaler, a `Functions`
 * conversion) turns objects between them through the front's seam.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expandServedVersions } from '../../../api/conversion/served-versions.ts';
import { functionsConverter } from '../../../api/conversion/converter.ts';
import type { KubeObject } from '../../../base/object.ts';
import { horizontalPodAutoscalerKind } from '../../../api/kinds/autoscaling/horizontalpodautoscaler.ts';

const served = expandServedVersions([horizontalPodAutoscalerKind]);

test('each served version is a kind; the others name the version they are served through', () => {
  assert.equal(served.map((k) => [k.version, k.servedAs]), [['v2', undefined], ['v1', 'v2']]);
});

test('the kind\'s conversion turns a v2 object into v1 and back', async () => {
  const conversion = horizontalPodAutoscalerKind.conversion;
  assert.is(conversion?.strategy, 'Functions');
  if (conversion?.strategy !== 'Functions') return;
  const c = functionsConverter(conversion.convert);
  const stored = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] } } as KubeObject;
  const out = await c.convert([stored], 'autoscaling/v1');
  assert.ok(out.ok);
  const v1 = out.ok ? out.value[0]! : stored;
  assert.is(v1.apiVersion, 'autoscaling/v1');
  assert.equal((v1 as { spec: unknown }).spec, { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, targetCPUUtilizationPercentage: 70 });
  const back = await c.convert([v1], 'autoscaling/v2');
  assert.equal(back.ok && back.value[0], stored);
});

test.run();
