/**
 * The admissionregistration.k8s.io/v1 types as the apiserver reads them. kubernetes-types
 * drops the fields of Go's inlined Rule (resources, scope) from the rule types; they are
 * restored here, and the webhook types refer to the restored rule.
 */
import type {
  MatchResources as KtMatchResources,
  MutatingWebhook as KtMutatingWebhook,
  NamedRuleWithOperations as KtNamedRule,
  RuleWithOperations as KtRule,
  ValidatingWebhook as KtValidatingWebhook,
} from 'kubernetes-types/admissionregistration/v1.js';

export interface RuleFields {
  /** "pods", "pods/status", "*" (every resource, no subresource), "pods/*", "*\/scale", "*\/*". */
  resources?: string[];
  /** "Cluster", "Namespaced" or "*" (the default). */
  scope?: string;
}

export type RuleWithOperations = KtRule & RuleFields;
export type NamedRuleWithOperations = KtNamedRule & RuleFields;
export type MatchResources = Omit<KtMatchResources, 'resourceRules' | 'excludeResourceRules'> & {
  resourceRules?: NamedRuleWithOperations[];
  excludeResourceRules?: NamedRuleWithOperations[];
};
export type ValidatingWebhook = Omit<KtValidatingWebhook, 'rules'> & { rules?: RuleWithOperations[] };
export type MutatingWebhook = Omit<KtMutatingWebhook, 'rules'> & { rules?: RuleWithOperations[] };
/** Either kind of webhook; `reinvocationPolicy` only on mutating ones. */
export type Webhook = ValidatingWebhook & { reinvocationPolicy?: string };
