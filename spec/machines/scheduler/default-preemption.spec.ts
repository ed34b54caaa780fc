/**
 * DefaultPreemption's pure parts: upstream's node choice among candidates
 * (pickOneNodeForPreemption's six criteria, in order), the PodDisruptionBudget split, and
 * eligibility.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { pickOneNodeForPreemption, type Candidate } from '../../../machines/scheduler/plugins/default-preemption/pick.ts';
import { splitByPdbViolation } from '../../../machines/scheduler/plugins/default-preemption/importance.ts';
import { notEligible, numCandidates } from '../../../machines/scheduler/plugins/default-preemption/index.ts';
import { Snapshot } from '../../../machines/scheduler/snapshot.ts';

const pod = (name: string, priority: number, startTime?: string, labels?: Record<string, string>): Pod => ({
  metadata: { name, namespace: 'default', uid: name, ...(labels ? { labels } : {}) },
  spec: { priority, containers: [] },
  status: startTime ? { startTime } : {},
});
const cand = (node: string, pods: Pod[], numPDBViolations = 0): Candidate => ({ node, victims: { pods, numPDBViolations } });
const pick = (...c: Candidate[]) => pickOneNodeForPreemption(c)?.node;

test('the criteria in upstream order: PDB violations, highest victim priority, priority sum, count, latest start, first', () => {
  assert.is(pick(cand('a', [pod('x', 1)], 1), cand('b', [pod('y', 50), pod('z', 50)], 0)), 'b');
  assert.is(pick(cand('a', [pod('x', 20)]), cand('b', [pod('y', 10), pod('z', 10)])), 'b');
  assert.is(pick(cand('a', [pod('x', 10), pod('w', 5)]), cand('b', [pod('y', 10), pod('z', 1)])), 'b');
  // Equal sums: the fewer victims win (the offset per victim makes two 0s outweigh one 0 here).
  assert.is(pick(cand('a', [pod('x', 0), pod('w', 0)]), cand('b', [pod('y', 0)])), 'b');
  assert.is(pick(
    cand('a', [pod('x', 10, '2026-01-01T00:00:00Z')]),
    cand('b', [pod('y', 10, '2026-01-02T00:00:00Z')]),
  ), 'b', 'the more recently started victim is cheaper to lose');
  assert.is(pick(cand('a', [pod('x', 10, '2026-01-01T00:00:00Z')]), cand('b', [pod('y', 10, '2026-01-01T00:00:00Z')])), 'a');
  assert.is(pick(), undefined);
});

test('a budget is used up pod by pod: the pods past disruptionsAllowed violate it; disrupted pods are not counted again', () => {
  const pdb: PodDisruptionBudget = {
    metadata: { name: 'db', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'db' } } },
    status: { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptedPods: { gone: '2026-01-01T00:00:00Z' } },
  };
  const pods = [pod('a', 5, undefined, { app: 'db' }), pod('gone', 5, undefined, { app: 'db' }), pod('b', 5, undefined, { app: 'db' }), pod('c', 5, undefined, { app: 'web' })];
  const { violating, nonViolating } = splitByPdbViolation(pods, [pdb]);
  assert.equal(violating.map((p) => p.metadata?.name), ['b']);
  assert.equal(nonViolating.map((p) => p.metadata?.name), ['a', 'gone', 'c']);
});

test('eligibility and the dry run size', () => {
  const snapshot = new Snapshot();
  assert.is(notEligible({ spec: { preemptionPolicy: 'Never', containers: [] } }, snapshot, undefined), 'not eligible due to preemptionPolicy=Never.');
  assert.is(notEligible({ spec: { containers: [] } }, snapshot, undefined), null);
  assert.equal([numCandidates(5), numCandidates(500), numCandidates(5000)], [5, 100, 500]);
});

test.run();
