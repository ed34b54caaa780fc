/**
 * pickOneNodeForPreemption: among the candidate nodes, the one whose preemption hurts least —
 * 1. the fewest PodDisruptionBudget violations; 2. the lowest priority of its most important
 * victim; 3. the lowest sum of victim priorities; 4. the fewest victims; 5. the latest start
 * time of its most important victims; 6. the first candidate.
 */
import { podPriority, startTime } from './importance.ts';
import type { Victims } from './victims.ts';

export interface Candidate {
  node: string;
  victims: Victims;
}

/** MaxInt32 + 1: keeps every term of the priority sum positive, as upstream adds it. */
const PRIORITY_OFFSET = 2 ** 31;

/** GetEarliestPodStartTime: the earliest start among the victims of the highest priority. */
function earliestStartOfTopVictims(v: Victims): number {
  const top = podPriority(v.pods[0]!);
  let earliest = Number.POSITIVE_INFINITY;
  for (const p of v.pods) if (podPriority(p) === top) earliest = Math.min(earliest, startTime(p));
  return earliest;
}

const SCORES: ReadonlyArray<(v: Victims) => number> = [
  (v) => -v.numPDBViolations,
  (v) => -podPriority(v.pods[0]!),
  (v) => -v.pods.reduce((sum, p) => sum + podPriority(p) + PRIORITY_OFFSET, 0),
  (v) => -v.pods.length,
  // A victim not started yet counts as starting now: later than every started one.
  (v) => Math.min(earliestStartOfTopVictims(v), Number.MAX_SAFE_INTEGER),
];

export function pickOneNodeForPreemption(candidates: readonly Candidate[]): Candidate | undefined {
  let left = [...candidates];
  for (const score of SCORES) {
    if (left.length <= 1) break;
    let best = Number.NEGATIVE_INFINITY;
    let kept: Candidate[] = [];
    for (const c of left) {
      const s = score(c.victims);
      if (s > best) {
        best = s;
        kept = [];
      }
      if (s === best) kept.push(c);
    }
    left = kept;
  }
  return left[0];
}
