/**
 * batch/v1 Job validation. Unless `manualSelector` is true the selector is generated from the
 * Job's uid (see defaults/job.ts), so a selector without that uid label is rejected.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { deepEqual } from '../json.ts';
import { child, GoRaw, IMMUTABLE, immutable, invalid, nonNegative, notSupported, required } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { nameIsDNSSubdomain } from './names.ts';
import { selectorValue, validateSelectorAndTemplate } from './workload.ts';

export const JOB_UID_LABEL = 'batch.kubernetes.io/controller-uid';

export function validateJob(job: Job, old?: Job): StatusCause[] {
  const s = job.spec;
  const errs = old ? validateObjectMetaUpdate(job.metadata, old.metadata) : validateObjectMeta(job.metadata, true, nameIsDNSSubdomain);
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'] as const) {
    errs.push(...nonNegative(child('spec', f), s?.[f]));
  }
  if (s?.activeDeadlineSeconds === 0) errs.push(invalid('spec.activeDeadlineSeconds', 0, 'must be greater than zero'));
  errs.push(...validateSelectorAndTemplate(s?.selector, s?.template, 'spec', 'job', ['OnFailure', 'Never']));
  if (s?.template?.spec && !s.template.spec.restartPolicy) {
    errs.push(notSupported('spec.template.spec.restartPolicy', '', ['OnFailure', 'Never']));
  }
  const mode = s?.completionMode;
  if (mode && mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported('spec.completionMode', mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed' && s?.completions === undefined) {
    errs.push(required('spec.completions', 'when completion mode is Indexed'));
  }
  if (!old && s?.manualSelector !== true && s?.selector && !s.selector.matchLabels?.[JOB_UID_LABEL]) {
    errs.push(invalid('spec.selector', selectorValue(s.selector), '`selector` not auto-generated'));
  }
  if (old) {
    errs.push(...immutable('spec.selector', selectorValue(s?.selector), !deepEqual(s?.selector, old.spec?.selector)));
    errs.push(...immutable('spec.completionMode', mode ?? '', (mode ?? '') !== (old.spec?.completionMode ?? '')));
    if (!old.spec?.suspend && !deepEqual(s?.template, old.spec?.template)) {
      errs.push(invalid('spec.template', new GoRaw('core.PodTemplateSpec{...}'), IMMUTABLE));
    }
  }
  return errs;
}
