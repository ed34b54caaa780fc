/**
 * The CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go): at each time
 * the schedule names, creates a Job from the template (named `<cronjob>-<minutes>`),
 * unless suspended, too late for startingDeadlineSeconds, or forbidden by the concurrency
 * policy (Forbid skips while a Job is active; Replace deletes the active ones first); keeps
 * status.active / lastScheduleTime / lastSuccessfulTime; trims finished Jobs to the
 * history limits. Each sync asks to be looked at again just after the next schedule time.
 */
import type { CronJob, CronJobStatus, Job } from 'kubernetes-types/batch/v1.js';
import { ownedBy } from '../../informers/shared.ts';
import { keyOf } from '../../informer.ts';
import { controllerOf } from '../../../machines/controllers/owners.ts';
import { MAX_MISSED, jobNameFor, mostRecentUnmet, requeueDelay } from '../../../machines/controllers/cronjob/schedule.ts';
import { rfc3339 } from '../../../api/time.ts';
import { isAlreadyExists, isNotFound, splitKey, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition, SyncResult } from '../framework.ts';
import { CRONJOB_KIND, deleteJob, jobFinished, jobFromTemplate, refTo, trimHistory } from './jobs.ts';

export function createCronJobController(cc: ControllerContext): Controller {
  const enqueue = (o: CronJob) => cc.enqueue(keyOf(o));
  const cronjobs = cc.informer({ target: targets.cronjobs(), handlers: { add: enqueue, update: (_, cur) => enqueue(cur), delete: enqueue } });
  const ownerKey = (job: Job): string | undefined => {
    const ref = controllerOf(job);
    return ref?.kind === CRONJOB_KIND ? `${job.metadata?.namespace}/${ref.name}` : undefined;
  };
  const jobChanged = (job: Job) => {
    const k = ownerKey(job);
    if (k) cc.enqueue(k);
  };
  const jobs = cc.informer({ target: targets.jobs(), handlers: { add: jobChanged, update: (_, cur) => jobChanged(cur), delete: jobChanged } });

  return {
    async sync(key): Promise<SyncResult | void> {
      const cj = cronjobs.get(key);
      if (!cj) return;
      const { namespace = '' } = splitKey(key);
      const now = cc.actor.clock.now();
      const owned = ownedBy(jobs, cj).filter((j) => controllerOf(j)?.uid === cj.metadata?.uid);
      const status: CronJobStatus = { ...cj.status };

      // The active list holds exactly the owned Jobs that have not finished.
      const active = owned.filter((j) => !jobFinished(j) && !j.metadata?.deletionTimestamp);
      for (const j of owned) {
        const wasActive = (cj.status?.active ?? []).some((r) => r.uid === j.metadata?.uid);
        const state = jobFinished(j);
        if (!wasActive || !state) continue;
        void cc.events.record(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name}, condition: ${state}`);
        const done = Date.parse(j.status?.completionTime ?? '');
        if (state === 'Complete' && Number.isFinite(done) && done > (Date.parse(status.lastSuccessfulTime ?? '') || 0)) status.lastSuccessfulTime = rfc3339(done);
      }
      status.active = active.map(refTo);

      const finish = async (result?: SyncResult): Promise<SyncResult | void> => {
        await trimHistory(cc, cj, owned);
        if (!status.active?.length) delete status.active;
        if (JSON.stringify(status) !== JSON.stringify(cj.status ?? {})) {
          const r = await cc.api.updateStatus(targets.cronjobs(namespace, cj.metadata?.name), { ...cj, status });
          if (!r.ok && isNotFound(r.status)) return;
          unwrap(r);
        }
        return result;
      };

      if (cj.metadata?.deletionTimestamp) return finish();
      if (cj.spec?.suspend) return finish();
      let later: SyncResult, unmet: ReturnType<typeof mostRecentUnmet>;
      try {
        later = { requeueAfter: requeueDelay(cj, now) };
        unmet = mostRecentUnmet(cj, now);
      } catch (e) {
        // Retrying cannot fix a schedule or zone the parser rejects: wait for a spec change.
        void cc.events.record(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${cj.spec?.schedule}: ${e instanceof Error ? e.message : String(e)}`);
        return finish();
      }
      const { scheduled, missed } = unmet;
      if (scheduled === null) return finish(later);
      if (missed > MAX_MISSED) void cc.events.record(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
      const sds = cj.spec?.startingDeadlineSeconds;
      if (sds !== undefined && sds !== null && scheduled + sds * 1000 < now) {
        void cc.events.record(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc3339(scheduled)}`);
        return finish(later);
      }
      const name = jobNameFor(cj, scheduled);
      if (owned.some((j) => j.metadata?.name === name)) return finish(later);
      const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
      if (policy === 'Forbid' && active.length > 0) {
        void cc.events.record(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
        return finish(later);
      }
      if (policy === 'Replace') {
        for (const j of active) await deleteJob(cc, cj, j);
        status.active = [];
      }
      const r = await cc.api.create(targets.jobs(namespace), jobFromTemplate(cj, scheduled));
      if (!r.ok && !isAlreadyExists(r.status)) {
        void cc.events.record(cj, 'Warning', 'FailedCreate', `Error creating job: ${r.status.message}`);
        unwrap(r);
      }
      if (r.ok) {
        void cc.events.record(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
        status.active = [...(status.active ?? []), refTo(r.value.object)];
      }
      status.lastScheduleTime = rfc3339(scheduled);
      return finish(later);
    },
  };
}

export const cronJobController: ControllerDefinition = {
  name: 'cronjob',
  aliases: ['cronjob-controller'],
  component: 'cronjob-controller',
  enabledByDefault: true,
  create: createCronJobController,
};
