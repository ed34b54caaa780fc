/**
 * Defaulting of the admissionregistration.k8s.io/v1 kinds, as their SetDefaults_* functions
 * (pkg/apis/admissionregistration/v1/defaults.go): failurePolicy Fail, matchPolicy Equivalent,
 * empty namespace and object selectors (match everything), timeoutSeconds 10, rule scope "*",
 * service port 443, reinvocationPolicy Never for mutating webhooks.
 */
import type {
  MutatingWebhookConfiguration,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  ValidatingWebhookConfiguration,
  WebhookClientConfig,
} from 'kubernetes-types/admissionregistration/v1.js';
import { clone } from '../json.ts';
import type { MatchResources, NamedRuleWithOperations, RuleWithOperations, Webhook } from './types.ts';

/** Kubernetes' default webhook timeout (seconds). */
export const DEFAULT_TIMEOUT_SECONDS = 10;

const ruleDefaults = <R extends RuleWithOperations | NamedRuleWithOperations>(r: R): R => ({ ...r, scope: r.scope ?? '*' });

function clientConfigDefaults(c: WebhookClientConfig | undefined): WebhookClientConfig | undefined {
  if (!c?.service) return c;
  return { ...c, service: { ...c.service, port: c.service.port ?? 443 } };
}

function webhookDefaults(w: Webhook, mutating: boolean): Webhook {
  const out: Webhook = {
    ...w,
    failurePolicy: w.failurePolicy ?? 'Fail',
    matchPolicy: w.matchPolicy ?? 'Equivalent',
    namespaceSelector: w.namespaceSelector ?? {},
    objectSelector: w.objectSelector ?? {},
    timeoutSeconds: w.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    rules: w.rules?.map(ruleDefaults),
  };
  const cc = clientConfigDefaults(w.clientConfig);
  if (cc) out.clientConfig = cc;
  if (!w.rules) delete out.rules;
  if (mutating) out.reinvocationPolicy = w.reinvocationPolicy ?? 'Never';
  return out;
}

export function defaultMutatingWebhookConfiguration(o: MutatingWebhookConfiguration): MutatingWebhookConfiguration {
  const c = clone(o);
  if (c.webhooks) c.webhooks = c.webhooks.map((w) => webhookDefaults(w as Webhook, true) as typeof w);
  return c;
}

export function defaultValidatingWebhookConfiguration(o: ValidatingWebhookConfiguration): ValidatingWebhookConfiguration {
  const c = clone(o);
  if (c.webhooks) c.webhooks = c.webhooks.map((w) => webhookDefaults(w as Webhook, false) as typeof w);
  return c;
}

function matchResourcesDefaults(m: MatchResources | undefined): MatchResources | undefined {
  if (!m) return m;
  const out: MatchResources = { ...m, matchPolicy: m.matchPolicy ?? 'Equivalent', namespaceSelector: m.namespaceSelector ?? {}, objectSelector: m.objectSelector ?? {} };
  if (m.resourceRules) out.resourceRules = m.resourceRules.map(ruleDefaults);
  if (m.excludeResourceRules) out.excludeResourceRules = m.excludeResourceRules.map(ruleDefaults);
  return out;
}

export function defaultValidatingAdmissionPolicy(o: ValidatingAdmissionPolicy): ValidatingAdmissionPolicy {
  const c = clone(o);
  if (c.spec) {
    c.spec.failurePolicy ??= 'Fail';
    const m = matchResourcesDefaults(c.spec.matchConstraints as MatchResources | undefined);
    if (m) c.spec.matchConstraints = m;
  }
  return c;
}

export function defaultValidatingAdmissionPolicyBinding(o: ValidatingAdmissionPolicyBinding): ValidatingAdmissionPolicyBinding {
  const c = clone(o);
  if (c.spec?.matchResources) c.spec.matchResources = matchResourcesDefaults(c.spec.matchResources as MatchResources)!;
  return c;
}
