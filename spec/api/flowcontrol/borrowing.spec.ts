/** Seat borrowing's arithmetic: the fair allocation, the demand integrator and its smoothing, the bootstrap levels' limits at start. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allocate, allocationItem, nextStats, NO_DEMAND, SeatDemand, SEAT_DEMAND_SMOOTHING } from '../../../api/flowcontrol/borrowing.ts';
import { planLevels } from '../../../api/flowcontrol/levels.ts';
import { DEFAULT_PRIORITY_LEVELS } from '../../../api/flowcontrol/bootstrap.ts';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);

test('allocation: proportional to the targets while no bound holds; a bound holds an item and the rest share what is left', () => {
  const free = allocate(8, [{ target: 1, lower: 0, upper: 100 }, { target: 3, lower: 0, upper: 100 }]);
  assert.equal(free.allocations, [2, 6]);
  assert.is(free.fairProp, 2);
  // The first may not exceed 2: the second takes the rest.
  const capped = allocate(10, [{ target: 1, lower: 0, upper: 2 }, { target: 1, lower: 0, upper: 100 }]);
  assert.equal(capped.allocations, [2, 8]);
  // The first needs at least 6: the second gets what its proportion gives of the rest.
  const floored = allocate(10, [{ target: 1, lower: 6, upper: 100 }, { target: 1, lower: 0, upper: 100 }]);
  assert.equal(floored.allocations, [6, 4]);
  // Lower bounds above the total: each gets its lower bound; upper bounds below it: each its upper.
  assert.equal(allocate(5, [{ target: 4, lower: 4, upper: 9 }, { target: 4, lower: 4, upper: 9 }]).allocations, [4, 4]);
  assert.equal(allocate(30, [{ target: 4, lower: 4, upper: 9 }, { target: 4, lower: 4, upper: 9 }]).allocations, [9, 9]);
  // The allocations always sum to the total when the bounds allow it.
  const items = [{ target: 17.5, lower: 1, upper: 101 }, { target: 9, lower: 9, upper: 113 }, { target: 4, lower: 4, upper: 141 }, { target: 13, lower: 13, upper: 117 }];
  close(allocate(106, items).allocations.reduce((a, b) => a + b, 0), 106, 'sum');
});

test('a level\'s item: its floor rises to its demand\'s high watermark, no higher than its nominal limit; its target is its smoothed demand', () => {
  const b = { nominal: 98, lower: 73, upper: 698 };
  assert.equal(allocationItem(b, NO_DEMAND), { target: 73, lower: 73, upper: 698 });
  assert.equal(allocationItem(b, { average: 50, deviation: 10, highWatermark: 90, smoothed: 60 }), { target: 90, lower: 90, upper: 698 });
  assert.equal(allocationItem(b, { average: 300, deviation: 40, highWatermark: 500, smoothed: 340 }), { target: 340, lower: 98, upper: 698 });
});

test('demand is integrated over time: a period\'s average and deviation weigh each value by how long it held', () => {
  const d = new SeatDemand(0);
  d.set(10, 0);
  d.set(0, 5000);
  const s = d.reset(10_000);
  assert.equal(s, { duration: 10_000, average: 5, deviation: 5, max: 10 });
  // The next period starts with the current demand as its high watermark.
  d.set(2, 12_000);
  const next = d.reset(20_000);
  assert.equal([next.duration, next.max], [10_000, 2]);
  close(next.average, 1.6, 'average');
  close(next.deviation, 0.8, 'deviation');
});

test('smoothing: demand that rises is taken at once, demand that falls only decays', () => {
  const up = nextStats(NO_DEMAND, { duration: 10_000, average: 40, deviation: 10, max: 60 });
  assert.is(up.smoothed, 50);
  const down = nextStats(up, { duration: 10_000, average: 0, deviation: 0, max: 0 });
  close(down.smoothed, SEAT_DEMAND_SMOOTHING * 50, 'decayed');
  assert.is(down.highWatermark, 0);
});

test('the bootstrap levels on 600 seats: nominal limits, bounds, and the limits they start with (their unlent seats scaled to the total)', () => {
  const plans = planLevels(DEFAULT_PRIORITY_LEVELS, 600);
  const by = Object.fromEntries(plans.map((p) => [p.name, p]));
  assert.equal(by['node-high']!.bounds, { nominal: 98, lower: 73, upper: 698 });
  assert.equal(by['workload-low']!.bounds, { nominal: 245, lower: 24, upper: 845 });
  assert.equal(by['catch-all']!.bounds, { nominal: 13, lower: 13, upper: 613 });
  assert.equal(by['exempt']!.bounds.nominal, 0);
  const total = plans.reduce((n, p) => n + p.bounds.nominal, 0);
  const { allocations } = allocate(total, plans.map((p) => allocationItem(p.bounds, NO_DEMAND)));
  const current = Object.fromEntries(plans.map((p, i) => [p.name, Math.round(allocations[i]!)]));
  // Σ nominal 602 over Σ lower 258: each level's floor times 2.33.
  assert.equal(current, { exempt: 0, system: 117, 'node-high': 170, 'leader-election': 58, 'workload-high': 114, 'workload-low': 56, 'global-default': 56, 'catch-all': 30 });
});

test.run();
