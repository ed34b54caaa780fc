/**
 * A custom resource's create while its CustomResourceDefinition is Terminating (the delete
 * asked for, the customresourcecleanup finalizer still removing the objects): refused as
 * apiextensions-apiserver's crdHandler refuses it, 405 MethodNotAllowed "create not allowed
 * while custom resource definition is terminating". Updates, patches and deletes go on.
 */
import { status, type Status } from '../../base/status.ts';
import { isTrue, TERMINATING, type CustomResourceDefinition } from '../../api/crd/types.ts';
import type { ServerContext } from './context.ts';
import type { ResourceInfo } from './resources.ts';

const CRDS = 'customresourcedefinitions.apiextensions.k8s.io';

/**
 * The refusal of a create of `res` when a Terminating CRD defines it; null otherwise. A CRD is
 * named by its plural.group, which is its kind's group-resource, and no built-in resource can
 * be (their groups have no dot), so the lookup needs no registry. Read from the watch cache
 * without waiting, as upstream reads its CRD lister.
 */
export function terminatingDefinition(s: ServerContext, res: ResourceInfo): Status | null {
  const crd = s.cache.object(CRDS, undefined, res.gr) as CustomResourceDefinition | undefined;
  if (!crd || !isTrue(crd, TERMINATING)) return null;
  // NewMethodNotSupported with its message replaced, as the handler does.
  return status(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating', { group: res.group, kind: res.resource });
}
