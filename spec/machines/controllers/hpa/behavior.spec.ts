/**
 * The HPA's normalization in virtual time: the default downscale stabilization window (5 min),
 * the scale-up limit without behavior (max(2x, 4)), and with behavior the stabilization windows,
 * Pods / Percent policies over their periods, selectPolicy, and the conditions' reasons.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyMemory, normalizeWithBehavior, normalizeWithoutBehavior, recordInitial, storeScaleEvent } from '../../../../machines/controllers/hpa/behavior.ts';
import { defaultHorizontalPodAutoscaler } from '../../../../api/defaults/autoscaling.ts';

const S = 1000;
const T0 = 1_000_000_000;

test('without behavior: a scale-down waits for the 5 minute window of higher recommendations', () => {
  const mem = emptyMemory();
  recordInitial(mem, 4, T0);
  let n = normalizeWithoutBehavior(mem, 4, 1, 1, 10, T0 + 15 * S);
  assert.is(n.replicas, 4);
  assert.is(n.ableToScale.reason, 'ScaleDownStabilized');
  n = normalizeWithoutBehavior(mem, 4, 1, 1, 10, T0 + 299 * S);
  assert.is(n.replicas, 4);
  // The initial recommendation leaves the window after 300 s; the first low one keeps 1.
  n = normalizeWithoutBehavior(mem, 4, 1, 1, 10, T0 + 301 * S);
  assert.is(n.replicas, 1);
  assert.is(n.ableToScale.reason, 'ReadyForNewScale');
  assert.equal(n.limited, { status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' });
});

test('without behavior: a scale-up is limited to max(2 x current, 4) and to maxReplicas', () => {
  let n = normalizeWithoutBehavior(emptyMemory(), 1, 10, 1, 20, T0);
  assert.is(n.replicas, 4);
  assert.equal(n.limited, { status: 'True', reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' });
  n = normalizeWithoutBehavior(emptyMemory(), 3, 10, 1, 5, T0);
  assert.is(n.replicas, 5);
  assert.is(n.limited.reason, 'TooManyReplicas');
  n = normalizeWithoutBehavior(emptyMemory(), 3, 0, 2, 5, T0);
  assert.is(n.replicas, 2);
  assert.is(n.limited.reason, 'TooFewReplicas');
});

const defaulted = (behavior: object) => defaultHorizontalPodAutoscaler({ spec: { maxReplicas: 100, scaleTargetRef: { kind: 'Deployment', name: 'x' }, behavior } }).spec!.behavior!;

test('behavior defaults: scale-up by the larger of 4 pods or 100% per 15 s', () => {
  const b = defaulted({});
  assert.equal(b.scaleUp, { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] });
  assert.equal(b.scaleDown, { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
  const mem = emptyMemory();
  let n = normalizeWithBehavior(mem, b, 1, 40, 1, 100, T0);
  assert.is(n.replicas, 5);
  assert.is(n.limited.reason, 'ScaleUpLimit');
  storeScaleEvent(mem, b, 1, 5, T0);
  // Within the same 15 s period the 4 added pods use the budget up: no more.
  n = normalizeWithBehavior(mem, b, 5, 40, 1, 100, T0 + 10 * S);
  assert.is(n.replicas, 5);
  // A period later: 5 + max(4, 100%) = 10.
  n = normalizeWithBehavior(mem, b, 5, 40, 1, 100, T0 + 16 * S);
  assert.is(n.replicas, 10);
});

test('behavior: selectPolicy Min picks the smaller change; Disabled stops that direction', () => {
  const min = defaulted({ scaleUp: { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }, { type: 'Percent', value: 100, periodSeconds: 60 }] } });
  assert.is(normalizeWithBehavior(emptyMemory(), min, 4, 20, 1, 100, T0).replicas, 5);
  const off = defaulted({ scaleDown: { selectPolicy: 'Disabled' } });
  const n = normalizeWithBehavior(emptyMemory(), off, 6, 2, 1, 100, T0);
  assert.is(n.replicas, 6);
  assert.is(n.limited.reason, 'ScaleDownLimit');
});

test('behavior: the default scale-down window is the controller\'s 300 s, a scale-down Pods policy paces it', () => {
  const b = defaulted({ scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } });
  const mem = emptyMemory();
  recordInitial(mem, 5, T0);
  let n = normalizeWithBehavior(mem, b, 5, 1, 1, 10, T0 + 60 * S);
  assert.is(n.replicas, 5);
  assert.equal(n.ableToScale, { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' });
  n = normalizeWithBehavior(mem, b, 5, 1, 1, 10, T0 + 301 * S);
  assert.is(n.replicas, 4);
  assert.equal(n.limited, { status: 'True', reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' });
  storeScaleEvent(mem, b, 5, 4, T0 + 301 * S);
  assert.is(normalizeWithBehavior(mem, b, 4, 1, 1, 10, T0 + 330 * S).replicas, 4);
  assert.is(normalizeWithBehavior(mem, b, 4, 1, 1, 10, T0 + 362 * S).replicas, 3);
});

test('behavior: a scale-up stabilization window applies the lowest recent recommendation', () => {
  const b = defaulted({ scaleUp: { stabilizationWindowSeconds: 60 } });
  const mem = emptyMemory();
  recordInitial(mem, 2, T0);
  let n = normalizeWithBehavior(mem, b, 2, 6, 1, 10, T0 + 30 * S);
  assert.is(n.replicas, 2);
  assert.is(n.ableToScale.reason, 'ScaleUpStabilized');
  n = normalizeWithBehavior(mem, b, 2, 6, 1, 10, T0 + 61 * S);
  assert.is(n.replicas, 6);
});

test.run();
