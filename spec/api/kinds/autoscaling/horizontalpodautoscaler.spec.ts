/**
 * autoscaling/v2 HorizontalPodAutoscaler: upstream's validation messages, defaulting (min 1,
 * cpu 80 %), the TARGETS column, and the autoscaling/v1 <-> v2 conversion that keeps every v2
 * field in the autoscaling.alpha.kubernetes.io annotations.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import { horizontalPodAutoscalerKind as kind } from '../../../../api/kinds/autoscaling/horizontalpodautoscaler.ts';
import { hpaFromV1, hpaToV1, METRICS_ANNOTATION } from '../../../../api/kinds/autoscaling/conversion.ts';
import { formatHpaMetrics } from '../../../../api/tables/autoscaling.ts';
import { resolveResource } from '../../../../api/kinds.ts';

const base = (spec: object): HorizontalPodAutoscaler => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, ...spec } });
const messages = (o: HorizontalPodAutoscaler) => kind.validate(o as never).map((c) => `${c.field}: ${c.message}`);

test('registered as hpa in the all category, with status', () => {
  assert.is(resolveResource('hpa')?.kind, 'HorizontalPodAutoscaler');
  assert.equal(kind.categories, ['all']);
  assert.ok(kind.hasStatus);
  assert.equal(kind.servedVersions, ['v2', 'v1']);
});

test('defaults: minReplicas 1 and a cpu utilization metric of 80%', () => {
  const d = kind.defaults(base({}) as never) as HorizontalPodAutoscaler;
  assert.is(d.spec?.minReplicas, 1);
  assert.equal(d.spec?.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.is(d.spec?.behavior, undefined);
});

test('validation with upstream messages', () => {
  assert.equal(messages(base({})), []);
  assert.equal(messages(base({ minReplicas: 0, maxReplicas: 0 })), [
    'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
    'spec.maxReplicas: Invalid value: 0: must be greater than 0',
  ]);
  assert.equal(messages(base({ minReplicas: 3, maxReplicas: 2 })), ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`']);
  assert.equal(messages(base({ scaleTargetRef: { kind: '', name: 'a/b' } })), [
    'spec.scaleTargetRef.kind: Required value',
    'spec.scaleTargetRef.name: Invalid value: "a/b": may not contain \'/\'',
  ]);
  assert.equal(messages(base({ metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }] })), [
    'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
  ]);
  assert.equal(messages(base({ metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }] })), [
    'spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization',
  ]);
  assert.equal(messages(base({ metrics: [{ type: 'Pods', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 5 } } }] })), [
    'spec.metrics[0].pods: Required value: must populate information for the given metric source',
    'spec.metrics[0].resource: Forbidden: must populate the given metric source only',
  ]);
  assert.equal(messages(base({ behavior: { scaleDown: { stabilizationWindowSeconds: 4000, policies: [{ type: 'Pods', value: 0, periodSeconds: 2000 }] } } })), [
    'spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600',
    'spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero',
    'spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 2000: must be less than or equal to 1800',
  ]);
});

test('TARGETS: current/target per metric, <unknown> before the first measurement, two at most', () => {
  const cpu = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } };
  assert.is(formatHpaMetrics([cpu], []), 'cpu: <unknown>/80%');
  assert.is(formatHpaMetrics([cpu], [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 50, averageValue: '50m' } } }]), 'cpu: 50%/80%');
  const mem = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } };
  const pods = { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } };
  assert.is(formatHpaMetrics([cpu, mem, pods], []), 'cpu: <unknown>/80%, memory: <unknown>/100Mi + 1 more...');
  assert.is(formatHpaMetrics([], []), '<none>');
});

test('autoscaling/v1 <-> v2: the cpu target maps to targetCPUUtilizationPercentage, the rest round-trips in annotations', () => {
  const v1 = { apiVersion: 'autoscaling/v1' as const, kind: 'HorizontalPodAutoscaler' as const, metadata: { name: 'web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } };
  const v2 = hpaFromV1(v1);
  assert.equal(v2.spec?.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  assert.equal(hpaToV1(v2), v1);
  const rich = base({
    metrics: [
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 30 } },
  });
  rich.status = { currentReplicas: 2, desiredReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 70 } } }], conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale' }] };
  const down = hpaToV1(rich);
  assert.is(down.spec?.targetCPUUtilizationPercentage, 60);
  assert.is(down.status?.currentCPUUtilizationPercentage, 70);
  assert.ok(down.metadata?.annotations?.[METRICS_ANNOTATION]?.includes('memory'));
  const back = hpaFromV1(down);
  assert.equal(back.spec, rich.spec);
  assert.equal(back.status?.conditions, rich.status.conditions);
  assert.is(back.metadata?.annotations, undefined);
});

test.run();
