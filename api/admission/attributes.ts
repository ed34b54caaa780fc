/**
 * What admission knows about one request (Kubernetes' admission.Attributes): the operation,
 * the resource and kind it addresses, the new and the stored object, who asks, and whether
 * it is a dry run. Webhooks, policies and their matching read only this.
 */
import type { KubeObject } from '../../base/object.ts';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionUser {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AdmissionAttributes {
  operation: Operation;
  group: string;
  version: string;
  /** Plural resource ("pods"). */
  resource: string;
  /** "" for the main resource, else "status", "scale", … */
  subresource: string;
  kind: string;
  namespaced: boolean;
  /** Empty for cluster-scoped objects. */
  namespace: string;
  /** Empty on a create with generateName. */
  name: string;
  /** The object written (absent on DELETE). */
  object?: KubeObject;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: KubeObject;
  user: AdmissionUser;
  dryRun: boolean;
  /** The request's field manager (CreateOptions/UpdateOptions). */
  fieldManager?: string;
}

const CONFIGURATION_RESOURCES = new Set([
  'validatingwebhookconfigurations',
  'mutatingwebhookconfigurations',
  'validatingadmissionpolicies',
  'validatingadmissionpolicybindings',
]);

/**
 * Webhooks and policies never see writes of their own configuration kinds, so a broken
 * webhook or policy can always be removed (upstream's IsExemptAdmissionConfigurationResource).
 */
export function isExemptConfiguration(a: Pick<AdmissionAttributes, 'group' | 'resource'>): boolean {
  return a.group === 'admissionregistration.k8s.io' && CONFIGURATION_RESOURCES.has(a.resource);
}
