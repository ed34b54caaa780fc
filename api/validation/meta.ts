/**
 * ObjectMeta validation (k8s.io/apimachinery/pkg/api/validation/objectmeta.go): names per
 * kind, namespace scoping, labels, annotations, finalizers, owner references, and the
 * fields an update may not change.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { deepEqual } from '../json.ts';
import { child, forbidden, immutable, invalid, nonNegative, required, tooLong, type FieldPath } from './errors.ts';
import { isQualifiedName, isValidLabelValue, nameIsDNSLabel, type NameValidator } from './names.ts';

/** TotalAnnotationSizeLimitB: 256 KiB over all keys and values. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

const sortedKeys = (m: Record<string, unknown> | undefined): string[] => Object.keys(m ?? {}).sort();

export function validateLabelName(name: string, path: FieldPath): StatusCause[] {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

/**
 * ValidateLabels: every key a qualified name, every value a label value (reported on the map's
 * path, by key in Go's sorted order). The keys are sorted only when something is wrong: valid
 * labels — nearly all — are checked in one pass that makes nothing.
 */
export function validateLabels(labels: Record<string, string> | undefined, path: FieldPath): StatusCause[] {
  if (labels === undefined || labelsValid(labels)) return [];
  const errs: StatusCause[] = [];
  for (const k of sortedKeys(labels)) {
    errs.push(...validateLabelName(k, path));
    const v = labels[k] ?? '';
    for (const m of isValidLabelValue(v)) errs.push(invalid(path, v, m));
  }
  return errs;
}

function labelsValid(labels: Record<string, string>): boolean {
  for (const k in labels) {
    if (!Object.hasOwn(labels, k)) continue;
    if (isQualifiedName(k).length > 0 || isValidLabelValue(labels[k] ?? '').length > 0) return false;
  }
  return true;
}

/** ValidateAnnotations: keys are qualified names in any case; total size at most 256 KiB (sorted only when something is wrong, as labels). */
export function validateAnnotations(annotations: Record<string, string> | undefined, path: FieldPath): StatusCause[] {
  if (annotations === undefined) return [];
  let size = 0;
  let keysValid = true;
  for (const k in annotations) {
    if (!Object.hasOwn(annotations, k)) continue;
    if (keysValid && isQualifiedName(k.toLowerCase()).length > 0) keysValid = false;
    size += Buffer.byteLength(k) + Buffer.byteLength(annotations[k] ?? '');
  }
  const errs: StatusCause[] = [];
  if (!keysValid) for (const k of sortedKeys(annotations)) for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const f of finalizers ?? []) for (const m of isQualifiedName(f)) errs.push(invalid(path, f, m));
  if (finalizers?.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

function validateOwnerReferences(refs: ObjectMeta['ownerReferences'], path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  const controllers: string[] = [];
  for (const r of refs ?? []) {
    if (!r.apiVersion) errs.push(invalid(child(path, 'apiVersion'), r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) errs.push(invalid(child(path, 'kind'), r.kind ?? '', 'kind must not be empty'));
    if (!r.name) errs.push(invalid(child(path, 'name'), r.name ?? '', 'name must not be empty'));
    if (!r.uid) errs.push(invalid(child(path, 'uid'), r.uid ?? '', 'uid must not be empty'));
    if (r.controller) controllers.push(`${r.kind}/${r.name}`);
  }
  if (controllers.length > 1) {
    errs.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`));
  }
  return errs;
}

/**
 * ValidateObjectMeta for a create. `nameFn` is the kind's name rule; `namespaced` whether the
 * kind lives in a namespace (then metadata.namespace is required, else forbidden).
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, namespaced: boolean, nameFn: NameValidator, path: FieldPath = 'metadata'): StatusCause[] {
  const m = meta ?? {};
  const errs: StatusCause[] = [];
  if (m.generateName) for (const msg of nameFn(m.generateName, true)) errs.push(invalid(child(path, 'generateName'), m.generateName, msg));
  if (!m.name) errs.push(required(child(path, 'name'), 'name or generateName is required'));
  else for (const msg of nameFn(m.name, false)) errs.push(invalid(child(path, 'name'), m.name, msg));
  if (namespaced) {
    if (!m.namespace) errs.push(required(child(path, 'namespace')));
    else for (const msg of nameIsDNSLabel(m.namespace, false)) errs.push(invalid(child(path, 'namespace'), m.namespace, msg));
  } else if (m.namespace) {
    errs.push(forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...nonNegative(child(path, 'generation'), m.generation));
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, child(path, 'finalizers')));
  return errs;
}

/**
 * ValidateObjectMetaUpdate: name, namespace, uid, creationTimestamp and the deletion fields
 * are immutable; generation may not go down; no finalizer may be added once deletion began.
 * (resourceVersion presence is the apiserver's precondition check, not done here.)
 */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, path: FieldPath = 'metadata'): StatusCause[] {
  const m = meta ?? {};
  const o = old ?? {};
  const errs: StatusCause[] = [];
  if (o.deletionTimestamp) {
    const added = (m.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f)).sort();
    if (added.length) {
      errs.push(forbidden(child(path, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  if ((m.generation ?? 0) < (o.generation ?? 0)) errs.push(invalid(child(path, 'generation'), m.generation ?? 0, 'must not be decremented'));
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
    errs.push(...immutable(child(path, f), m[f] ?? '', !deepEqual(m[f] ?? '', o[f] ?? '')));
  }
  // What the update shares with the stored version (a status write's labels, annotations,
  // owners) was valid when stored and is the same object: checked again, it can only pass.
  if (m.labels !== o.labels) errs.push(...validateLabels(m.labels, child(path, 'labels')));
  if (m.annotations !== o.annotations) errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  if (m.ownerReferences !== o.ownerReferences) errs.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  if (m.finalizers !== o.finalizers) errs.push(...validateFinalizers(m.finalizers, child(path, 'finalizers')));
  return errs;
}
