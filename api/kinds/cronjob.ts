/**
 * batch/v1 CronJob defaulting (SetDefaults_CronJob) and basic validation: the schedule
 * must be a standard 5-field cron expression or a predefined one (@hourly, …), and the
 * job template must be there. The template's Job spec gets the Job's own defaults when
 * the controller creates the Job, not here.
 */
import type { CronJob } from 'kubernetes-types/batch/v1.js';
import { CronExpressionParser } from 'cron-parser';
import type { StatusCause } from '../../base/status.ts';
import { clone } from '../json.ts';
import { invalid, nonNegative, notSupported, required } from '../validation/errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { nameIsDNSSubdomain } from '../validation/names.ts';

const PREDEFINED = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Why the schedule is not one Kubernetes accepts, or null when it is. */
export function scheduleError(schedule: string): string | null {
  const s = schedule.trim();
  if (s.startsWith('@')) return PREDEFINED.has(s.toLowerCase()) ? null : `unrecognized descriptor: ${s}`;
  // robfig/cron's standard parser takes exactly five fields (no seconds, no year).
  if (s.split(/\s+/).length !== 5) return `expected exactly 5 fields, found ${s.split(/\s+/).filter(Boolean).length}: ${s}`;
  if (/TZ=|CRON_TZ=/.test(s)) return 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead';
  try {
    CronExpressionParser.parse(s, { strict: false });
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Whether the IANA zone name is known (Kubernetes rejects abbreviations and offsets too). */
export function validTimeZone(tz: string): boolean {
  if (!tz || /^[+-]|^(?:UTC|GMT)[+-]/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function defaultCronJob(cj: CronJob): CronJob {
  const o = clone(cj);
  const s = (o.spec ??= { schedule: '', jobTemplate: {} });
  s.concurrencyPolicy ??= 'Allow';
  s.suspend ??= false;
  s.successfulJobsHistoryLimit ??= 3;
  s.failedJobsHistoryLimit ??= 1;
  return o;
}

export function validateCronJob(cj: CronJob, old?: CronJob): StatusCause[] {
  const s = cj.spec;
  const errs = old ? validateObjectMetaUpdate(cj.metadata, old.metadata) : validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain);
  // The Job names are <name>-<minutes>: 52 characters leave room for the 11-digit suffix.
  if (!old && (cj.metadata?.name?.length ?? 0) > 52) errs.push(invalid('metadata.name', cj.metadata?.name, 'must be no more than 52 characters'));
  if (!s?.schedule) errs.push(required('spec.schedule'));
  else {
    const why = scheduleError(s.schedule);
    if (why) errs.push(invalid('spec.schedule', s.schedule, why));
  }
  if (s?.timeZone !== undefined && s.timeZone !== null && !validTimeZone(s.timeZone)) errs.push(invalid('spec.timeZone', s.timeZone, 'unknown time zone ' + s.timeZone));
  if (!s?.jobTemplate) errs.push(required('spec.jobTemplate'));
  else if (!s.jobTemplate.spec?.template) errs.push(required('spec.jobTemplate.spec.template'));
  const policy = s?.concurrencyPolicy;
  if (policy !== undefined && !['Allow', 'Forbid', 'Replace'].includes(policy)) errs.push(notSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']));
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'] as const) {
    errs.push(...nonNegative(`spec.${f}`, s?.[f]));
  }
  return errs;
}
