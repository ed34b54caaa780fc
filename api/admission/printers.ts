/**
 * Table columns of the admissionregistration.k8s.io kinds, as Kubernetes' printers.go has
 * them: WEBHOOKS for the webhook configurations, VALIDATIONS and PARAMKIND for a policy,
 * POLICYNAME and PARAMREF for a binding.
 */
import { since } from '../tables/duration.ts';
import { arr, createdOf, formatLabelSelector, nameOf, obj, specOf, str } from '../tables/meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from '../tables/table.ts';

export const webhookConfigurationPrinter: Printer = {
  columns: [NAME_COLUMN, col('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'), AGE_COLUMN],
  cells: (o, now) => [nameOf(o), arr(o.webhooks).length, since(createdOf(o), now)],
};

export const validatingAdmissionPolicyPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'),
    col('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
    AGE_COLUMN,
  ],
  cells(o, now) {
    const spec = specOf(o);
    const pk = spec.paramKind === undefined ? undefined : obj(spec.paramKind);
    return [nameOf(o), arr(spec.validations).length, pk ? `${str(pk.apiVersion)}/${str(pk.kind)}` : '<unset>', since(createdOf(o), now)];
  },
};

export const validatingAdmissionPolicyBindingPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'),
    col('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'),
    AGE_COLUMN,
  ],
  cells(o, now) {
    const spec = specOf(o);
    return [nameOf(o), str(spec.policyName), paramRefText(spec.paramRef), since(createdOf(o), now)];
  },
};

/** "<ns>/<name>", "*\/<name>" when no namespace is named (it may be cluster-scoped), the selector, or "<unset>". */
function paramRefText(ref: unknown): string {
  if (ref === undefined || ref === null) return '<unset>';
  const r = obj(ref);
  const name = str(r.name);
  if (name) return `${str(r.namespace) || '*'}/${name}`;
  return r.selector !== undefined ? formatLabelSelector(r.selector) : '<unset>';
}
