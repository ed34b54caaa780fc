import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seededRandom } from '../../../actors/random.ts';
import { FAULT_KINDS, parseFaultKinds, planFaults, type PlanInput } from '../../../machines/simulate/faults.ts';

const input: PlanInput = { kinds: FAULT_KINDS, windowMs: 110 * 60_000, nodes: ['node-1', 'node-2', 'node-3'], crashable: ['scheduler', 'controller.replicaset', 'kubelet.node-1'] };

test('a plan is a function of the seed', () => {
  assert.equal(planFaults(seededRandom(5), input), planFaults(seededRandom(5), input));
  assert.not.equal(planFaults(seededRandom(5), input), planFaults(seededRandom(6), input));
});

test('every kind asked for occurs, in time order, within the window, on a known target', () => {
  const plan = planFaults(seededRandom(1), input);
  assert.equal(new Set(plan.map((e) => e.kind)), new Set(FAULT_KINDS));
  for (let i = 1; i < plan.length; i++) assert.ok(plan[i - 1]!.at <= plan[i]!.at);
  for (const e of plan) {
    assert.ok(e.at >= 0 && e.at + e.forMs <= input.windowMs, `${e.kind} at ${e.at} for ${e.forMs}`);
    if (e.kind === 'crash') assert.ok(input.crashable.includes(e.target!));
    if (e.kind === 'partition' || e.kind === 'kubelet-silent' || e.kind === 'clock-skew') assert.ok(input.nodes.includes(e.target!));
  }
  assert.equal(planFaults(seededRandom(1), { ...input, kinds: ['kv-fail'] }).map((e) => e.kind).filter((k) => k !== 'kv-fail'), []);
});

test('--faults: a list, all, none; an unknown kind is named', () => {
  assert.equal(parseFaultKinds('kv-fail,delay'), ['delay', 'kv-fail']);
  assert.equal(parseFaultKinds('all'), [...FAULT_KINDS]);
  assert.equal(parseFaultKinds(undefined), [...FAULT_KINDS]);
  assert.equal(parseFaultKinds('none'), []);
  assert.throws(() => parseFaultKinds('delay,meteor'), /unknown fault kind "meteor"/);
});

test.run();
