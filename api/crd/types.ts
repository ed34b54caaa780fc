/**
 * The apiextensions.k8s.io/v1 CustomResourceDefinition as the apiserver reads it, re-exported
 * from kubernetes-types, with the names of its finalizer and conditions.
 */
import type {
  CustomResourceColumnDefinition,
  CustomResourceDefinition,
  CustomResourceDefinitionCondition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionVersion,
} from 'kubernetes-types/apiextensions/v1.js';

export type { CustomResourceColumnDefinition, CustomResourceDefinition, CustomResourceDefinitionCondition, CustomResourceDefinitionNames, CustomResourceDefinitionVersion };

/** The finalizer a CRD carries once a delete is asked for, until its custom resources are gone. */
export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** The CRD's condition types (apiextensions.CustomResourceDefinitionConditionType). */
export const ESTABLISHED = 'Established';
export const NAMES_ACCEPTED = 'NamesAccepted';
export const TERMINATING = 'Terminating';

/** The version a CRD stores in (the one with `storage: true`), or undefined when the spec has none. */
export function storageVersionOf(crd: CustomResourceDefinition): string | undefined {
  return crd.spec?.versions?.find((v) => v.storage)?.name;
}

/** The versions a CRD serves, in the order the spec lists them. */
export function servedVersionsOf(crd: CustomResourceDefinition): CustomResourceDefinitionVersion[] {
  return (crd.spec?.versions ?? []).filter((v) => v.served);
}

/** The condition of `type`, or undefined. */
export function conditionOf(crd: CustomResourceDefinition, type: string): CustomResourceDefinitionCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

/** Whether the CRD's condition of `type` is True. */
export const isTrue = (crd: CustomResourceDefinition, type: string): boolean => conditionOf(crd, type)?.status === 'True';

/**
 * The conditions with `c` set (apiextensionshelpers.SetCRDCondition): lastTransitionTime
 * moves only when the status changes. A new array.
 */
export function setCondition(conditions: readonly CustomResourceDefinitionCondition[] | undefined, c: CustomResourceDefinitionCondition): CustomResourceDefinitionCondition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  if (i < 0) return [...list, c];
  const prev = list[i]!;
  list[i] = { ...c, lastTransitionTime: prev.status === c.status ? prev.lastTransitionTime : c.lastTransitionTime };
  return list;
}
