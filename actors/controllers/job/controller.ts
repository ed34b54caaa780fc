/**
 * The Job controller (pkg/controller/job/job_controller.go): runs pods from the template
 * until `completions` of them succeeded (Indexed mode: one per completion index), at most
 * `parallelism` at a time; recreates failed pods after an exponential backoff; fails the Job
 * past `backoffLimit` failures (BackoffLimitExceeded) or `activeDeadlineSeconds`
 * (DeadlineExceeded), deleting its active pods; and keeps the status. A finished Job is
 * left alone (the ttl-after-finished controller may delete it).
 */
import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js';
import { labelSelectorToSelector } from '../../../api/selectors/labels.ts';
import { isPodReady } from '../../../machines/controllers/pods.ts';
import { compressIndexes, missingIndexes } from '../../../machines/controllers/job/indexes.ts';
import { rfc3339 } from '../../../api/time.ts';
import { backoffRemaining, countPods, deadlineAt, finishOf, isJobFinished, wantActive, withCondition } from '../../../machines/controllers/job/status.ts';
import { splitKey, targets } from '../../client/index.ts';
import { claimPods } from '../claim.ts';
import { claimCandidates } from '../../informers/shared.ts';
import { Expectations } from '../expectations.ts';
import { ownedPods, ownerHandlers } from '../owned-pods.ts';
import type { Controller, ControllerContext, ControllerDefinition, SyncResult } from '../framework.ts';
import { createPods, deletePods, JOB_KIND, writeStatus, type JobEnv } from './manage.ts';

export function createJobController(cc: ControllerContext): Controller {
  const expectations = new Expectations(() => cc.actor.clock.now());
  const jobInformer = cc.informer({ target: targets.jobs(), handlers: ownerHandlers({ enqueue: cc.enqueue, expectations }) });

  // The Job controller here adopts no orphans: only its own pods enqueue a Job.
  const { handlers } = ownedPods<Job>({ kind: JOB_KIND, owners: jobInformer, enqueue: cc.enqueue, expectations, adoptOrphans: false });
  const podInformer = cc.informer({ target: targets.pods(), handlers });

  return {
    async sync(key): Promise<SyncResult | void> {
      const job = jobInformer.get(key);
      if (!job) {
        expectations.delete(key);
        return;
      }
      if (isJobFinished(job) || job.metadata?.deletionTimestamp) return;
      const { namespace = '' } = splitKey(key);
      const sel = labelSelectorToSelector(job.spec?.selector);
      if (!sel.ok || sel.value === undefined) {
        cc.actor.log.warn('job has an invalid selector', { key });
        return;
      }
      const needsSync = expectations.satisfied(key);
      const now = cc.actor.clock.now();
      const env: JobEnv = { cc, expectations, key, job, namespace };
      // The pods it owns and the orphans it may adopt (kube's controller-uid and orphan indexes), not every pod of the namespace.
      const candidates = claimCandidates(podInformer, job);
      const pods = await claimPods(cc.api, { owner: job, kind: JOB_KIND, targets: targets.jobs, selector: sel.value }, candidates);

      const status: JobStatus = { ...job.status };
      if (!status.startTime && !job.spec?.suspend) status.startTime = rfc3339(now);
      const started: Job = { ...job, status };
      const counts = countPods(started, pods);
      const finish = finishOf(started, counts, now);
      let active = counts.active.length;
      let requeueAfter: number | undefined;

      if (finish) {
        active -= await deletePods(env, counts.active);
        if (finish.type === 'Complete') {
          status.conditions = withCondition(started, 'Complete', '', '', now);
          status.completionTime = rfc3339(now);
          void cc.events.record(job, 'Normal', 'Completed', 'Job completed');
        } else {
          status.conditions = withCondition(started, 'Failed', finish.reason, finish.message, now);
          void cc.events.record(job, 'Warning', finish.reason, finish.message);
        }
      } else if (needsSync) {
        const want = wantActive(started, counts);
        if (active > want) {
          // Pods not yet running or ready go first.
          const surplus = [...counts.active].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b))).slice(0, active - want);
          active -= await deletePods(env, surplus);
        } else if (active < want) {
          const wait = backoffRemaining(pods, now);
          if (wait > 0) requeueAfter = wait;
          else {
            const n = want - active;
            const completions = job.spec?.completions ?? 0;
            const slots = counts.indexes ? missingIndexes(counts.indexes, counts.active, completions, n) : Array.from({ length: n }, () => null);
            active += await createPods(env, slots);
          }
        }
      }

      status.active = active;
      status.succeeded = counts.succeeded;
      status.failed = counts.failed;
      status.ready = counts.ready;
      if (counts.indexes) status.completedIndexes = compressIndexes(counts.indexes);
      await writeStatus(env, status);
      if (finish) return;
      const deadline = deadlineAt(started);
      if (deadline !== null) requeueAfter = Math.min(requeueAfter ?? Infinity, Math.max(deadline - now, 0) + 1);
      return requeueAfter !== undefined ? { requeueAfter } : undefined;
    },
  };
}

export const jobController: ControllerDefinition = {
  name: 'job',
  aliases: ['job-controller'],
  component: 'job-controller',
  enabledByDefault: true,
  create: createJobController,
};
