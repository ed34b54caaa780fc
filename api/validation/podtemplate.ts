/** Validation and defaulting of core/v1 PodTemplate (ValidatePodTemplate(Update)). */
import type { PodTemplate } from 'kubernetes-types/core/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { clone } from '../json.ts';
import { defaultPodSpecInPlace } from '../defaults/pod.ts';
import { required } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { nameIsDNSSubdomain } from './names.ts';
import { validatePodTemplateSpec } from './pod.ts';

export function validatePodTemplate(pt: PodTemplate, old?: PodTemplate): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(pt.metadata, old.metadata) : validateObjectMeta(pt.metadata, true, nameIsDNSSubdomain);
  if (!pt.template) errs.push(required('template'));
  else errs.push(...validatePodTemplateSpec(pt.template, 'template'));
  return errs;
}

/** The template's pod spec gets a pod's defaults. */
export function defaultPodTemplate(pt: PodTemplate): PodTemplate {
  const o = clone(pt);
  if (o.template?.spec) defaultPodSpecInPlace(o.template.spec);
  return o;
}
