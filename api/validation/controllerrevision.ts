/** Validation of apps/v1 ControllerRevision (ValidateControllerRevision(Update)). */
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { deepEqual } from '../json.ts';
import { immutable, nonNegative, required } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { nameIsDNSSubdomain } from './names.ts';

export function validateControllerRevision(cr: ControllerRevision, old?: ControllerRevision): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(cr.metadata, old.metadata) : validateObjectMeta(cr.metadata, true, nameIsDNSSubdomain);
  if (cr.data === undefined || cr.data === null) errs.push(required('data', 'data is mandatory'));
  errs.push(...nonNegative('revision', cr.revision));
  if (old) errs.push(...immutable('data', cr.data, !deepEqual(cr.data, old.data)));
  return errs;
}
