/**
 * The HPA's replica calculation, with upstream's cases (replica_calculator_test.go): the
 * formula ceil(ready x usage/target), the tolerance, missing and unready pods, requests summed
 * per container, AverageValue targets, and the errors' messages.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { DEFAULT_CALC_OPTIONS, podRequests, rawResourceReplicas, resourceReplicas, type PodMetrics } from '../../../../machines/controllers/hpa/replicas.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const LONG_AGO = '2026-01-01T11:00:00Z';
const opts = { ...DEFAULT_CALC_OPTIONS, now: NOW };

function pod(name: string, cpu: string[] = ['100m'], over: { phase?: string; ready?: 'True' | 'False'; started?: string; transition?: string; deleted?: boolean } = {}): Pod {
  return {
    metadata: { name, ...(over.deleted ? { deletionTimestamp: LONG_AGO } : {}) },
    spec: { containers: cpu.map((c, i) => ({ name: `c${i}`, ...(c ? { resources: { requests: { cpu: c } } } : {}) })) },
    status: {
      phase: over.phase ?? 'Running',
      startTime: over.started ?? LONG_AGO,
      conditions: [{ type: 'Ready', status: over.ready ?? 'True', lastTransitionTime: over.transition ?? LONG_AGO }],
    },
  };
}

const usage = (entries: Record<string, number>, at = NOW): PodMetrics => new Map(Object.entries(entries).map(([n, v]) => [n, { value: v, timestamp: at, windowMs: 30_000 }]));

test('the brief formula: one pod at 200m of 100m with a 50% target asks for ceil(1 x 400/100) = 4', () => {
  const r = resourceReplicas(1, 50, 'cpu', '', [pod('a')], usage({ a: 200 }), opts);
  assert.equal(r, { ok: true, value: { replicas: 4, utilization: 200, rawAverage: 200 } });
});

test('within the tolerance (0.1) the current count stays', () => {
  const r = resourceReplicas(3, 50, 'cpu', '', [pod('a'), pod('b'), pod('c')], usage({ a: 54, b: 54, c: 54 }), opts);
  assert.ok(r.ok && r.value.replicas === 3 && r.value.utilization === 54);
});

test('a scale-down over ready pods: ceil(ratio x ready)', () => {
  const r = resourceReplicas(4, 50, 'cpu', '', ['a', 'b', 'c', 'd'].map((n) => pod(n)), usage({ a: 10, b: 10, c: 10, d: 10 }), opts);
  assert.ok(r.ok && r.value.replicas === 1);
});

test('requests are summed over the containers of a pod', () => {
  const reqs = podRequests([pod('a', ['100m', '300m'])], '', 'cpu');
  assert.ok(reqs.ok && reqs.value.get('a') === 400);
  const r = resourceReplicas(1, 50, 'cpu', '', [pod('a', ['100m', '300m'])], usage({ a: 400 }), opts);
  assert.ok(r.ok && r.value.utilization === 100 && r.value.replicas === 2);
});

test('a container without a request is an error, as upstream words it', () => {
  const r = resourceReplicas(1, 50, 'cpu', '', [pod('a', ['100m', ''])], usage({ a: 100 }), opts);
  assert.equal(r, { ok: false, message: 'missing request for cpu in container c1 of Pod a' });
});

test('missing metrics on a scale-up count as 0% and can damp the scale-up', () => {
  // ready: a at 200% → ratio 4; b missing counts 0 → new ratio 2 → ceil(2 x 2) = 4.
  const r = resourceReplicas(2, 50, 'cpu', '', [pod('a'), pod('b')], usage({ a: 200 }), opts);
  assert.ok(r.ok && r.value.replicas === 4);
});

test('missing metrics on a scale-down count as 100% of their request', () => {
  // a at 10% of 50% → ratio 0.2; b missing counts 100m → (10+100)/200 = 55% → 1.1 → direction flips: stay.
  const r = resourceReplicas(2, 50, 'cpu', '', [pod('a'), pod('b')], usage({ a: 10 }), opts);
  assert.ok(r.ok && r.value.replicas === 2);
});

test('unready and pending pods count as 0% on a scale-up, ignored otherwise', () => {
  const pods = [pod('a'), pod('b', ['100m'], { phase: 'Pending' }), pod('c', ['100m'], { ready: 'False', started: '2026-01-01T11:59:00Z', transition: '2026-01-01T11:59:00Z' })];
  const r = resourceReplicas(3, 50, 'cpu', '', pods, usage({ a: 100, c: 100 }), opts);
  // a alone: 100% / 50% = 2; with b and c at 0: 100/300 → 33% → 0.66: direction flips, stay at 3.
  assert.ok(r.ok && r.value.replicas === 3);
});

test('a pod whose Ready transition is younger than one metric window is not counted yet', () => {
  const fresh = pod('a', ['100m'], { started: '2026-01-01T11:59:50Z', transition: '2026-01-01T11:59:55Z' });
  const r = resourceReplicas(1, 50, 'cpu', '', [fresh], usage({ a: 200 }), opts);
  assert.equal(r, { ok: false, message: 'did not receive metrics for targeted pods (pods might be unready)' });
});

test('deleted and failed pods are ignored; no pods at all is an error', () => {
  const r = resourceReplicas(2, 50, 'cpu', '', [pod('a'), pod('b', ['100m'], { deleted: true })], usage({ a: 100, b: 1000 }), opts);
  assert.ok(r.ok && r.value.replicas === 2 && r.value.utilization === 100);
  assert.equal(resourceReplicas(1, 50, 'cpu', '', [], usage({}), opts), { ok: false, message: 'no pods returned by selector while calculating replica count' });
});

test('AverageValue targets: the average usage over the target', () => {
  const r = rawResourceReplicas(2, 100, 'cpu', [pod('a'), pod('b')], usage({ a: 300, b: 300 }), opts);
  assert.equal(r, { ok: true, value: { replicas: 6, rawAverage: 300 } });
  const same = rawResourceReplicas(2, 100, 'cpu', [pod('a'), pod('b')], usage({ a: 105, b: 95 }), opts);
  assert.ok(same.ok && same.value.replicas === 2);
});

test.run();
