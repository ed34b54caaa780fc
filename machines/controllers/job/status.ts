/**
 * The pure decisions of the Job controller (pkg/controller/job/job_controller.go): which
 * pods count as succeeded or failed, whether the Job is finished and why, how many pods
 * should be active, and the pod-recreation backoff (10 s doubling to 6 min after each
 * failure since the last success).
 */
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodActive } from '../pods.ts';
import { succeededIndexes } from './indexes.ts';

export const DEFAULT_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 6 * 60_000;

export type Finish =
  | { type: 'Complete' }
  | { type: 'Failed'; reason: 'BackoffLimitExceeded' | 'DeadlineExceeded'; message: string };

import { rfc3339 } from '../../../api/time.ts';

/** The condition of `type` with status True, if any. */
export const trueCondition = (job: Job, type: string): JobCondition | undefined =>
  job.status?.conditions?.find((c) => c.type === type && c.status === 'True');

/** IsJobFinished: Complete or Failed holds. */
export const isJobFinished = (job: Job): boolean => trueCondition(job, 'Complete') !== undefined || trueCondition(job, 'Failed') !== undefined;

/** When the pod's last container ended (else when it was created), in ms. */
export function finishedAt(p: Pod): number {
  const times = [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])]
    .map((c) => Date.parse(c.state?.terminated?.finishedAt ?? ''))
    .filter(Number.isFinite);
  return times.length ? Math.max(...times) : Date.parse(p.metadata?.creationTimestamp ?? '') || 0;
}

export interface PodCounts {
  active: Pod[];
  succeeded: number;
  failed: number;
  ready: number;
  /** Indexed mode: the distinct succeeded indexes. */
  indexes: number[] | null;
}

/** Counts the Job's pods; counts never fall below what the status already recorded (a finished pod may be deleted). */
export function countPods(job: Job, pods: readonly Pod[]): PodCounts {
  const active = pods.filter(isPodActive);
  const indexed = job.spec?.completionMode === 'Indexed';
  const indexes = indexed ? succeededIndexes(pods, job.spec?.completions ?? 0) : null;
  const succeeded = indexes ? indexes.length : pods.filter((p) => p.status?.phase === 'Succeeded').length;
  const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
  return {
    active,
    succeeded: Math.max(succeeded, job.status?.succeeded ?? 0),
    failed: Math.max(failed, job.status?.failed ?? 0),
    ready: active.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length,
    indexes,
  };
}

/** Whether the Job has failed for good, or succeeded, at `nowMs`. */
export function finishOf(job: Job, counts: PodCounts, nowMs: number): Finish | null {
  const spec = job.spec;
  const limit = spec?.backoffLimit ?? 6;
  const onFailure = spec?.template?.spec?.restartPolicy === 'OnFailure';
  // With OnFailure the kubelet restarts containers in place: restarts are the failures.
  const restarts = onFailure
    ? counts.active.reduce((n, p) => n + [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].reduce((m, c) => m + (c.restartCount ?? 0), 0), 0)
    : 0;
  if (counts.failed > limit || (onFailure && limit > 0 && restarts >= limit) || (onFailure && limit === 0 && restarts > 0)) {
    return { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
  }
  const deadline = deadlineAt(job);
  if (deadline !== null && nowMs >= deadline) return { type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
  const completions = spec?.completions;
  if (completions === undefined || completions === null) {
    if (counts.succeeded > 0 && counts.active.length === 0) return { type: 'Complete' };
  } else if (counts.succeeded >= completions) return { type: 'Complete' };
  return null;
}

/** startTime + activeDeadlineSeconds in ms, or null. */
export function deadlineAt(job: Job): number | null {
  const ads = job.spec?.activeDeadlineSeconds;
  const start = Date.parse(job.status?.startTime ?? '');
  return ads === undefined || ads === null || !Number.isFinite(start) ? null : start + ads * 1000;
}

/** How many pods should be active now (parallelism bounded by the completions still missing). */
export function wantActive(job: Job, counts: PodCounts): number {
  if (job.spec?.suspend) return 0;
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  // Without completions, the first success means "the work is done": start no more.
  if (completions === undefined || completions === null) return counts.succeeded > 0 ? Math.min(counts.active.length, parallelism) : parallelism;
  return Math.max(0, Math.min(parallelism, completions - counts.succeeded));
}

/** The ms still to wait before creating pods again after failures, 0 when none. */
export function backoffRemaining(pods: readonly Pod[], nowMs: number): number {
  const lastSuccess = Math.max(0, ...pods.filter((p) => p.status?.phase === 'Succeeded').map(finishedAt));
  const failures = pods.filter((p) => p.status?.phase === 'Failed').map(finishedAt).filter((t) => t >= lastSuccess);
  if (!failures.length) return 0;
  const delay = Math.min(DEFAULT_BACKOFF_MS * 2 ** (failures.length - 1), MAX_BACKOFF_MS);
  return Math.max(0, Math.max(...failures) + delay - nowMs);
}

/** The Job's conditions with `type` set True (an existing True one is kept as it is). */
export function withCondition(job: Job, type: string, reason: string, message: string, nowMs: number): JobCondition[] {
  const prev = job.status?.conditions ?? [];
  if (prev.some((c) => c.type === type && c.status === 'True')) return prev;
  const t = rfc3339(nowMs);
  return [...prev.filter((c) => c.type !== type), { type, status: 'True', reason, message, lastProbeTime: t, lastTransitionTime: t }];
}
