/**
 * The CronJob controller's Job handling: the Job a schedule time creates, the active list
 * reconciled against the Jobs that exist, and the history trimmed to its limits.
 */
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { newControllerRef } from '../../../machines/controllers/owners.ts';
import { jobNameFor } from '../../../machines/controllers/cronjob/schedule.ts';
import { rfc3339 } from '../../../api/time.ts';
import { trueCondition } from '../../../machines/controllers/job/status.ts';
import { isNotFound, targets, unwrap } from '../../client/index.ts';
import type { ControllerContext } from '../framework.ts';
import { clone } from '../../../api/json.ts';

export const CRONJOB_KIND = 'CronJob';
export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** getJobFromTemplate2: the Job for `scheduledMs`, controlled by the CronJob. */
export function jobFromTemplate(cj: CronJob, scheduledMs: number): KubeObject {
  const tpl = cj.spec?.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduledMs),
      namespace: cj.metadata?.namespace,
      labels: { ...tpl?.metadata?.labels },
      annotations: { ...tpl?.metadata?.annotations, [SCHEDULED_TIMESTAMP]: rfc3339(scheduledMs) },
      ownerReferences: [newControllerRef(cj, 'batch/v1', CRONJOB_KIND)],
    },
    spec: clone(tpl?.spec ?? { template: {} }),
  };
}

export const refTo = (job: Job): ObjectReference => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  name: job.metadata?.name ?? '',
  namespace: job.metadata?.namespace ?? '',
  uid: job.metadata?.uid ?? '',
  resourceVersion: job.metadata?.resourceVersion ?? '',
});

export const jobFinished = (j: Job): 'Complete' | 'Failed' | null =>
  trueCondition(j, 'Complete') ? 'Complete' : trueCondition(j, 'Failed') ? 'Failed' : null;

const startOf = (j: Job): number => Date.parse(j.status?.startTime ?? j.metadata?.creationTimestamp ?? '') || 0;

/** Deletes a Job with its pods in the background; false when it was already gone. */
export async function deleteJob(cc: ControllerContext, cj: CronJob, job: Job): Promise<boolean> {
  const r = await cc.api.delete(targets.jobs(job.metadata?.namespace, job.metadata?.name), { propagationPolicy: 'Background' });
  if (!r.ok && isNotFound(r.status)) return false;
  unwrap(r);
  void cc.events.record(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata?.name}`);
  return true;
}

/** cleanupFinishedJobs: the oldest finished Jobs past successfulJobsHistoryLimit / failedJobsHistoryLimit are deleted. */
export async function trimHistory(cc: ControllerContext, cj: CronJob, jobs: readonly Job[]): Promise<void> {
  const trim = async (state: 'Complete' | 'Failed', limit: number | undefined) => {
    if (limit === undefined || limit === null) return;
    const done = jobs.filter((j) => jobFinished(j) === state && !j.metadata?.deletionTimestamp).sort((a, b) => startOf(a) - startOf(b));
    for (const j of done.slice(0, Math.max(0, done.length - limit))) await deleteJob(cc, cj, j);
  };
  await trim('Complete', cj.spec?.successfulJobsHistoryLimit);
  await trim('Failed', cj.spec?.failedJobsHistoryLimit);
}
