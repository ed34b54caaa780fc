import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MetricsStore, rateOf } from '../../../machines/metrics-server/store.ts';
import type { NodeStats } from '../../../bus/catalogue/metrics.ts';

const SEC = 1_000_000_000;

/** One node with one pod of one container `app`, with that cumulative CPU (core-ns) at `t` ms. */
function batch(t: number, cpu: number, memory = 1024, uid = 'u1'): NodeStats[] {
  return [{
    node: 'n1', cpuCoreNanoSeconds: cpu, memoryWorkingSetBytes: memory, timestamp: t,
    pods: [{ namespace: 'default', name: 'web', uid, containers: [{ name: 'app', cpuCoreNanoSeconds: cpu, memoryWorkingSetBytes: memory, timestamp: t }] }],
  }];
}

test('rate: Δ core-seconds over Δ seconds, in nanocores; the newer memory; window between the samples', () => {
  assert.equal(rateOf({ prev: { cpu: 0, memory: 1, timestamp: 0 }, last: { cpu: 3.75 * SEC, memory: 2, timestamp: 15_000 } }), { cpuNanoCores: 250_000_000, memoryBytes: 2, timestamp: 15_000, windowMs: 15_000 });
  assert.is(rateOf({ last: { cpu: 5, memory: 1, timestamp: 1 } }), null);
});

test('a node and a pod have a point from their second sample on', () => {
  const s = new MetricsStore();
  s.store(batch(1_000, 10 * SEC));
  assert.is(s.node('n1'), null);
  assert.is(s.pod('default', 'web'), null);
  s.store(batch(16_000, 10 * SEC + 7.5 * SEC, 2048));
  assert.equal(s.node('n1'), { cpuNanoCores: 500_000_000, memoryBytes: 2048, timestamp: 16_000, windowMs: 15_000 });
  assert.equal(s.pod('default', 'web'), { namespace: 'default', name: 'web', timestamp: 16_000, windowMs: 15_000, containers: [{ name: 'app', usage: { cpuNanoCores: 500_000_000, memoryBytes: 2048, timestamp: 16_000, windowMs: 15_000 } }] });
});

test('a restart (the counter went back) or a new pod of the same name starts over; the unreported go', () => {
  const s = new MetricsStore();
  s.store(batch(0, 10 * SEC));
  s.store(batch(1_000, 11 * SEC));
  assert.ok(s.pod('default', 'web'));
  s.store(batch(2_000, 0.1 * SEC));
  assert.is(s.pod('default', 'web'), null, 'counter reset');
  s.store(batch(3_000, 0.2 * SEC));
  assert.is(s.pod('default', 'web')?.containers[0]?.usage.cpuNanoCores, 100_000_000);
  s.store(batch(4_000, 0.3 * SEC, 1024, 'u2'));
  assert.is(s.pod('default', 'web'), null, 'another uid');
  s.store([]);
  assert.is(s.node('n1'), null);
});

test('a sample no newer than the last is ignored', () => {
  const s = new MetricsStore();
  s.store(batch(0, 0));
  s.store(batch(1_000, SEC));
  s.store(batch(1_000, 2 * SEC));
  assert.is(s.node('n1')?.cpuNanoCores, 1_000_000_000);
});

test.run();
