/**
 * The TTL-after-finished controller (pkg/controller/ttlafterfinished): deletes a Job
 * `ttlSecondsAfterFinished` seconds after it finished (Complete or Failed), with
 * foreground propagation so its pods go first. Before deleting, the Job is read again from
 * the apiserver, in case its TTL was changed or it was re-created meanwhile.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import { keyOf } from '../../informer.ts';
import { trueCondition } from '../../../machines/controllers/job/status.ts';
import { isNotFound, splitKey, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition, SyncResult } from '../framework.ts';

/** When the Job expires (ms), or null when it has no TTL or has not finished. */
export function expiresAt(job: Job): number | null {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp) return null;
  const c = trueCondition(job, 'Complete') ?? trueCondition(job, 'Failed');
  if (!c) return null;
  const finished = Date.parse(c.lastTransitionTime ?? job.status?.completionTime ?? '');
  return Number.isFinite(finished) ? finished + ttl * 1000 : null;
}

export function createTtlAfterFinishedController(cc: ControllerContext): Controller {
  const needsLook = (j: Job) => {
    if (expiresAt(j) !== null) cc.enqueue(keyOf(j));
  };
  const jobs = cc.informer({ target: targets.jobs(), handlers: { add: needsLook, update: (_, cur) => needsLook(cur) } });

  return {
    async sync(key): Promise<SyncResult | void> {
      const cached = jobs.get(key);
      if (!cached) return;
      const now = cc.actor.clock.now();
      const at = expiresAt(cached);
      if (at === null) return;
      if (at > now) return { requeueAfter: at - now };
      const { namespace, name } = splitKey(key);
      const target = targets.jobs(namespace, name);
      const fresh = await cc.api.get(target);
      if (!fresh.ok && isNotFound(fresh.status)) return;
      const job = unwrap(fresh);
      const freshAt = expiresAt(job);
      if (freshAt === null) return;
      if (freshAt > now) return { requeueAfter: freshAt - now };
      const r = await cc.api.delete(target, { propagationPolicy: 'Foreground', preconditions: { uid: job.metadata?.uid ?? '' } });
      if (!r.ok && isNotFound(r.status)) return;
      unwrap(r);
    },
  };
}

export const ttlAfterFinishedController: ControllerDefinition = {
  name: 'ttl-after-finished',
  aliases: ['ttl-after-finished-controller'],
  component: 'ttl-after-finished-controller',
  enabledByDefault: true,
  create: createTtlAfterFinishedController,
};
