/**
 * The Job controller's writes: pods created from the template (Indexed mode stamps each
 * with its completion index and hostname), surplus or leftover pods deleted, and the status
 * written when it changed. Expectations are raised before the writes and lowered again for
 * writes that did not happen.
 */
import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { keyOf } from '../../informer.ts';
import { COMPLETION_INDEX } from '../../../machines/controllers/job/indexes.ts';
import { isNotFound, targets, unwrap } from '../../client/index.ts';
import type { Expectations } from '../expectations.ts';
import type { ControllerContext } from '../framework.ts';
import { podFromTemplate } from '../replicaset/manage.ts';

export const JOB_KIND = 'Job';

export interface JobEnv {
  cc: ControllerContext;
  expectations: Expectations;
  key: string;
  job: Job;
  namespace: string;
}

/** The pod for one slot; `index` is set in Indexed mode. */
export function jobPod(job: Job, index: number | null): KubeObject {
  const pod = podFromTemplate(job, job.spec?.template, 'batch/v1', JOB_KIND) as Pod;
  if (index === null) return pod as KubeObject;
  const meta = pod.metadata!;
  const i = String(index);
  meta.generateName = `${job.metadata?.name}-${i}-`;
  meta.annotations = { ...meta.annotations, [COMPLETION_INDEX]: i };
  meta.labels = { ...meta.labels, [COMPLETION_INDEX]: i };
  const spec = pod.spec as PodSpec;
  spec.hostname ??= `${job.metadata?.name}-${i}`;
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    c.env = [...(c.env ?? []).filter((e) => e.name !== 'JOB_COMPLETION_INDEX'), { name: 'JOB_COMPLETION_INDEX', value: i }];
  }
  return pod as KubeObject;
}

/** Creates one pod per slot (null: non-indexed); resolves to how many were created. */
export async function createPods(env: JobEnv, slots: readonly (number | null)[]): Promise<number> {
  const { cc, job, key, expectations, namespace } = env;
  if (!slots.length) return 0;
  expectations.expectCreations(key, slots.length);
  const results = await Promise.all(
    slots.map(async (index) => {
      const r = await cc.api.create(targets.pods(namespace), jobPod(job, index));
      if (r.ok) {
        void cc.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.object.metadata?.name}`);
        return true;
      }
      expectations.creationObserved(key);
      void cc.events.record(job, 'Warning', 'FailedCreate', `Error creating: ${r.status.message}`);
      return false;
    }),
  );
  return results.filter(Boolean).length;
}

/** Deletes the pods; resolves to how many are gone. */
export async function deletePods(env: JobEnv, pods: readonly Pod[]): Promise<number> {
  const { cc, job, key, expectations, namespace } = env;
  if (!pods.length) return 0;
  expectations.expectDeletions(key, pods.map((p) => keyOf(p)));
  const results = await Promise.all(
    pods.map(async (p) => {
      const r = await cc.api.delete(targets.pods(namespace, p.metadata?.name));
      if (r.ok || isNotFound(r.status)) {
        if (r.ok) void cc.events.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`);
        return true;
      }
      expectations.deletionObserved(key, keyOf(p));
      void cc.events.record(job, 'Warning', 'FailedDelete', `Error deleting: ${r.status.message}`);
      return false;
    }),
  );
  return results.filter(Boolean).length;
}

const norm = (s: JobStatus | undefined) =>
  JSON.stringify([s?.active ?? 0, s?.succeeded ?? 0, s?.failed ?? 0, s?.ready ?? 0, s?.startTime ?? '', s?.completionTime ?? '', s?.completedIndexes ?? '', s?.conditions ?? []]);

/** Writes `status` when it differs from the cached one; a conflict throws (the key is retried on a fresh cache). */
export async function writeStatus(env: JobEnv, status: JobStatus): Promise<void> {
  const { cc, job, namespace } = env;
  if (norm(job.status) === norm(status)) return;
  const r = await cc.api.updateStatus(targets.jobs(namespace, job.metadata?.name), { ...job, status });
  if (!r.ok && isNotFound(r.status)) return;
  unwrap(r);
}
