/**
 * Where webhooks and policies sit in the apiserver's admission chain, as kube-apiserver orders
 * its plugins: MutatingAdmissionWebhook after the built-in mutating plugins, then (after the
 * object is validated) ValidatingAdmissionPolicy and ValidatingAdmissionWebhook, before
 * ResourceQuota. The verbs call `admitMutating` and `admitValidating`; each answers null when
 * nothing applies, so a request that no webhook or policy matches is not delayed at all.
 */
import type { KubeObject, UserInfo } from '../../../bus/catalogue/api.ts';
import { ok, type Result } from '../../../base/status.ts';
import type { AdmissionAttributes, Operation } from '../../../api/admission/attributes.ts';
import type { ServerContext } from '../context.ts';
import type { ResourceInfo } from '../resources.ts';
import { policiesConfigured, validatingPolicies } from '../admission-policy/dispatch.ts';
import { mutatingWebhooks, validatingWebhooks, webhooksConfigured, type Admitted } from './dispatch.ts';

export type { Admitted } from './dispatch.ts';

export interface RequestFacts {
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: string | undefined;
  object?: KubeObject | undefined;
  old?: KubeObject | undefined;
  user: UserInfo;
  dryRun?: boolean | undefined;
  fieldManager?: string | undefined;
}

/** admission.Attributes of a request to `res`. */
export function attributesOf(res: ResourceInfo, operation: Operation, f: RequestFacts): AdmissionAttributes {
  return {
    operation,
    group: res.group,
    version: res.version,
    resource: res.resource,
    subresource: f.subresource ?? '',
    kind: res.kind,
    namespaced: res.namespaced,
    namespace: res.namespaced ? (f.namespace ?? f.object?.metadata?.namespace ?? '') : '',
    name: f.name ?? f.object?.metadata?.name ?? f.old?.metadata?.name ?? '',
    ...(f.object ? { object: f.object } : {}),
    ...(f.old ? { oldObject: f.old } : {}),
    user: f.user,
    dryRun: f.dryRun ?? false,
    ...(f.fieldManager ? { fieldManager: f.fieldManager } : {}),
  };
}

/**
 * The mutating webhooks' result, or null when none applies; they see the object with its
 * defaults, as decoded. `attributes` is called only when some webhook is configured (most
 * clusters have none, and every write passes here).
 */
export function admitMutating(s: ServerContext, res: ResourceInfo, attributes: () => AdmissionAttributes): Promise<Result<Admitted>> | null {
  if (!webhooksConfigured(s, true)) return null;
  return mutatingWebhooks(s, attributes(), (o) => s.model.default(res, o));
}

/** Policies, then validating webhooks: a refusal or the warnings they add; null when none applies (`attributes` as for admitMutating). */
export function admitValidating(s: ServerContext, attributes: () => AdmissionAttributes): Result<Admitted> | Promise<Result<Admitted>> | null {
  if (!policiesConfigured(s) && !webhooksConfigured(s, false)) return null;
  const a = attributes();
  const policies = validatingPolicies(s, a);
  if (policies && !policies.ok) return policies;
  const hooks = validatingWebhooks(s, a);
  if (!hooks) return policies;
  const before = policies?.value.warnings ?? [];
  return hooks.then((r) => (r.ok ? ok({ warnings: [...before, ...r.value.warnings] }) : r));
}
