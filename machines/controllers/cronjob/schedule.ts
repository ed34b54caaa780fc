/**
 * The schedule arithmetic of the CronJob controller (cronjob_controllerv2.go and
 * utils.go): the most recent unmet schedule time, the next one, and the name of the Job
 * a schedule time creates. Pure: every function takes the current time.
 */
import type { CronJob } from 'kubernetes-types/batch/v1.js';
import { CronExpressionParser } from 'cron-parser';

/** Past this many missed start times the controller warns (TooManyMissedTimes). */
export const MAX_MISSED = 100;
/** Added to every requeue so that the key is looked at just after the schedule time. */
export const NEXT_SCHEDULE_DELTA_MS = 100;

// kube-controller-manager reads a schedule without timeZone in its own local zone; a
// virtual-time control plane has no meaningful local zone, so UTC keeps replay exact.
const zoneOf = (cj: CronJob): string => cj.spec?.timeZone || 'UTC';

const parse = (cj: CronJob, fromMs: number) =>
  CronExpressionParser.parse((cj.spec?.schedule ?? '').trim(), { currentDate: fromMs, tz: zoneOf(cj), strict: false });

export interface Unmet {
  /** The most recent schedule time not later than now, after the last one handled. */
  scheduled: number | null;
  /** How many schedule times were missed (capped at MAX_MISSED + 1). */
  missed: number;
}

/** mostRecentScheduleTime: the newest schedule time in (earliest, now], where earliest is the last schedule (or creation), bounded by startingDeadlineSeconds. */
export function mostRecentUnmet(cj: CronJob, nowMs: number): Unmet {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? '');
  if (!Number.isFinite(earliest)) earliest = nowMs;
  const sds = cj.spec?.startingDeadlineSeconds;
  if (sds !== undefined && sds !== null) earliest = Math.max(earliest, nowMs - sds * 1000);
  if (earliest >= nowMs) return { scheduled: null, missed: 0 };
  const it = parse(cj, earliest);
  let missed = 0;
  while (missed <= MAX_MISSED && it.next().getTime() <= nowMs) missed++;
  if (missed === 0) return { scheduled: null, missed: 0 };
  const last = parse(cj, nowMs + 1).prev().getTime();
  return { scheduled: last > earliest ? last : null, missed };
}

/** The first schedule time strictly after now (ms). */
export function nextScheduleTime(cj: CronJob, nowMs: number): number {
  return parse(cj, nowMs).next().getTime();
}

/** How long to wait before looking at the CronJob again. */
export const requeueDelay = (cj: CronJob, nowMs: number): number => nextScheduleTime(cj, nowMs) - nowMs + NEXT_SCHEDULE_DELTA_MS;

/** getJobName: `<cronjob>-<minutes since the epoch of the schedule time>`. */
export const jobNameFor = (cj: CronJob, scheduledMs: number): string => `${cj.metadata?.name}-${Math.floor(scheduledMs / 60_000)}`;
