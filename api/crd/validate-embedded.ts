/**
 * An `x-kubernetes-embedded-resource` value (a RawExtension-like object: a Pod template in
 * a custom resource) must be an object in its own right: apiVersion and kind present and
 * well-formed, and its metadata valid as object metadata (a name is not required).
 * pkg/apiserver/schema/objectmeta's validateEmbeddedResource, with its messages.
 */
import type { StatusCause } from '../../base/status.ts';
import { isObject } from '../json.ts';
import { invalid, required } from '../validation/errors.ts';
import { validateAnnotations, validateLabels } from '../validation/meta.ts';
import { isDNS1035Label, isDNS1123Subdomain } from '../validation/names.ts';

const at = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);

/** Problems of the embedded object `x` found at `path`. */
export function validateEmbeddedResource(x: Record<string, unknown>, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!Object.hasOwn(x, 'apiVersion')) errs.push(required(at(path, 'apiVersion'), 'must not be empty'));
  if (!Object.hasOwn(x, 'kind')) errs.push(required(at(path, 'kind'), 'must not be empty'));
  const apiVersion = x.apiVersion;
  if (apiVersion !== undefined) {
    if (typeof apiVersion !== 'string') errs.push(invalid(at(path, 'apiVersion'), apiVersion, 'must be a string'));
    else if (apiVersion === '') errs.push(invalid(at(path, 'apiVersion'), apiVersion, 'must not be empty'));
    else if (apiVersion.split('/').length > 2) errs.push(invalid(at(path, 'apiVersion'), apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
  }
  const kind = x.kind;
  if (kind !== undefined) {
    if (typeof kind !== 'string') errs.push(invalid(at(path, 'kind'), kind, 'must be a string'));
    else if (kind === '') errs.push(invalid(at(path, 'kind'), kind, 'must not be empty'));
    else {
      const problems = isDNS1035Label(kind.toLowerCase());
      if (problems.length) errs.push(invalid(at(path, 'kind'), kind, `may have mixed case, but should otherwise match: ${problems.join(',')}`));
    }
  }
  const meta = x.metadata;
  if (meta !== undefined && isObject(meta)) {
    const mpath = at(path, 'metadata');
    if (typeof meta.name === 'string' && meta.name !== '') for (const m of isDNS1123Subdomain(meta.name)) errs.push(invalid(`${mpath}.name`, meta.name, m));
    errs.push(...validateLabels(meta.labels as Record<string, string> | undefined, `${mpath}.labels`));
    errs.push(...validateAnnotations(meta.annotations as Record<string, string> | undefined, `${mpath}.annotations`));
  }
  return errs;
}
