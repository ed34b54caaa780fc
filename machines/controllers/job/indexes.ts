/**
 * Indexed completion mode (pkg/controller/job/indexed_job_utils.go): each pod carries its
 * completion index; the Job succeeds once every index in [0, completions) has a
 * succeeded pod. status.completedIndexes is the compressed interval list ("0-2,4").
 */
import type { Pod } from 'kubernetes-types/core/v1.js';

export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

/** The pod's completion index (annotation first, then label), or null. */
export function indexOf(p: Pod): number | null {
  const v = p.metadata?.annotations?.[COMPLETION_INDEX] ?? p.metadata?.labels?.[COMPLETION_INDEX];
  if (v === undefined || !/^\d+$/.test(v)) return null;
  return Number(v);
}

/** The distinct valid indexes of succeeded pods, ascending. */
export function succeededIndexes(pods: readonly Pod[], completions: number): number[] {
  const s = new Set<number>();
  for (const p of pods) {
    const i = indexOf(p);
    if (p.status?.phase === 'Succeeded' && i !== null && i < completions) s.add(i);
  }
  return [...s].sort((a, b) => a - b);
}

/** "0-2,4,6-7" for [0,1,2,4,6,7] (an empty list gives ""). */
export function compressIndexes(sorted: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The lowest `n` indexes below `completions` that neither succeeded nor have an active pod. */
export function missingIndexes(done: readonly number[], active: readonly Pod[], completions: number, n: number): number[] {
  const taken = new Set<number>(done);
  for (const p of active) {
    const i = indexOf(p);
    if (i !== null) taken.add(i);
  }
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < n; i++) if (!taken.has(i)) out.push(i);
  return out;
}
