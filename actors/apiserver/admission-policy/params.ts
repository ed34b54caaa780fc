/**
 * The parameter objects a binding gives its policy (paramKind + paramRef): by name, or all
 * that a label selector picks, in the paramRef's namespace — or the request's, for a
 * namespaced kind when none is named. None found: the binding's parameterNotFoundAction
 * (Deny fails the request under the policy's failurePolicy; Allow skips the binding).
 * A policy without paramKind is evaluated once, with params null.
 */
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-types/admissionregistration/v1.js';
import { kindByGvk } from '../../../api/kinds.ts';
import { labelSelectorMatches } from '../../../api/selectors/labels.ts';
import type { AdmissionAttributes } from '../../../api/admission/attributes.ts';
import type { ServerContext } from '../context.ts';

export type Params = { ok: true; value: unknown[] } | { ok: false; error: string };

export function paramsFor(s: ServerContext, a: AdmissionAttributes, policy: ValidatingAdmissionPolicy, binding: ValidatingAdmissionPolicyBinding): Params {
  const pk = policy.spec?.paramKind;
  if (!pk) return { ok: true, value: [null] };
  const ref = binding.spec?.paramRef;
  if (!ref) return { ok: false, error: `failed to configure binding: paramRef is required when paramKind is set on the policy` };
  const [group, version] = (pk.apiVersion ?? '').includes('/') ? (pk.apiVersion ?? '').split('/') : ['', pk.apiVersion ?? ''];
  const kind = kindByGvk(pk.apiVersion ?? '', pk.kind ?? '');
  if (!kind) return { ok: false, error: `failed to find resource referenced by paramKind: '${group ? `${group}/` : ''}${version}, Kind=${pk.kind ?? ''}'` };
  const namespace = kind.namespaced ? (ref.namespace ?? a.namespace) : undefined;
  const found = [...(s.cache.resources.get(kind.gr)?.items.values() ?? [])].filter(
    (o) => (namespace === undefined || o.metadata?.namespace === namespace) && (ref.name ? o.metadata?.name === ref.name : labelSelectorMatches(ref.selector ?? {}, o.metadata?.labels)),
  );
  if (found.length) return { ok: true, value: found };
  if (ref.parameterNotFoundAction === 'Deny') return { ok: false, error: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
  return { ok: true, value: [] };
}
