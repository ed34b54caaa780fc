/** Validation of node.k8s.io/v1 RuntimeClass, as Kubernetes' ValidateRuntimeClass(Update). */
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { immutable, invalid, required } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Label, nameIsDNSSubdomain } from './names.ts';

export function validateRuntimeClass(rc: RuntimeClass, old?: RuntimeClass): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(rc.metadata, old.metadata) : validateObjectMeta(rc.metadata, false, nameIsDNSSubdomain);
  if (!rc.handler) errs.push(required('handler'));
  else for (const msg of isDNS1123Label(rc.handler)) errs.push(invalid('handler', rc.handler, msg));
  for (const [name, v] of Object.entries(rc.overhead?.podFixed ?? {})) {
    if (typeof v === 'string' && v.startsWith('-')) errs.push(invalid(`overhead.podFixed[${name}]`, v, 'must be greater than or equal to 0'));
  }
  if (old) errs.push(...immutable('handler', rc.handler, rc.handler !== old.handler));
  return errs;
}
