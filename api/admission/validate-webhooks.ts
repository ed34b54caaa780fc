/**
 * Validation of MutatingWebhookConfiguration and ValidatingWebhookConfiguration, as
 * ValidateMutatingWebhookConfiguration / ValidateValidatingWebhookConfiguration
 * (pkg/apis/admissionregistration/validation) word it for admissionregistration/v1.
 */
import type { MutatingWebhookConfiguration, ValidatingWebhookConfiguration, WebhookClientConfig } from 'kubernetes-types/admissionregistration/v1.js';
import type { Webhook } from './types.ts';
import type { StatusCause } from '../../base/status.ts';
import { child, duplicate, index, invalid, notSupported, required, type FieldPath } from '../validation/errors.ts';
import { validateLabelSelector } from '../validation/label-selector.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from '../validation/names.ts';
import { validateMatchConditions, validateRuleWithOperations } from './validate-rules.ts';

const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
/** admissionregistration/v1 accepts only the side-effect classes that promise none (or none on dry run). */
const SIDE_EFFECTS = ['None', 'NoneOnDryRun'];
const REINVOCATION = ['IfNeeded', 'Never'];
export const ACCEPTED_REVIEW_VERSIONS = ['v1', 'v1beta1'];

/** utilvalidation.IsFullyQualifiedName: a DNS subdomain with at least three segments. */
function fullyQualified(path: FieldPath, name: string | undefined): StatusCause[] {
  if (!name) return [required(path, '')];
  const errs = isDNS1123Subdomain(name).map((m) => invalid(path, name, m));
  if (errs.length) return errs;
  return name.split('.').length < 3 ? [invalid(path, name, 'should be a domain with at least three segments separated by dots')] : [];
}

/** webhook.ValidateWebhookURL with forceHttps. */
export function validateWebhookURL(path: FieldPath, raw: string): StatusCause[] {
  let u: URL;
  try {
    u = new URL(raw);
  } catch (e) {
    return [invalid(path, raw, `url must be a valid URL: ${e instanceof Error ? e.message : String(e)}`)];
  }
  const errs: StatusCause[] = [];
  if (u.protocol !== 'https:') errs.push(invalid(path, u.protocol.replace(/:$/, ''), "'https' is the only allowed URL scheme"));
  if (!u.host) errs.push(invalid(path, u.host, 'host must be specified'));
  if (u.username || u.password) errs.push(invalid(path, `${u.username}${u.password ? `:${u.password}` : ''}`, 'user information is not permitted in the URL'));
  if (u.hash || raw.includes('#')) errs.push(invalid(path, u.hash.slice(1), 'fragments are not permitted in the URL'));
  if (u.search) errs.push(invalid(path, u.search.slice(1), 'query parameters are not permitted in the URL'));
  return errs;
}

export function validateClientConfig(cc: WebhookClientConfig | undefined, path: FieldPath): StatusCause[] {
  if (!cc || (cc.url === undefined) === (cc.service === undefined)) return [required(path, 'exactly one of url or service is required')];
  if (cc.url !== undefined) return validateWebhookURL(child(path, 'url'), cc.url);
  const s = cc.service!;
  const p = child(path, 'service');
  const errs: StatusCause[] = [];
  if (!s.name) errs.push(required(child(p, 'name'), 'service name is required'));
  if (!s.namespace) errs.push(required(child(p, 'namespace'), 'service namespace is required'));
  if (s.path !== undefined && s.path !== '' && !s.path.startsWith('/')) errs.push(invalid(child(p, 'path'), s.path, "must start with a '/'"));
  const port = s.port ?? 443;
  if (!Number.isInteger(port) || port < 1 || port > 65535) errs.push(invalid(child(p, 'port'), port, `port is not valid: must be between 1 and 65535, inclusive`));
  return errs;
}

function validateReviewVersions(versions: readonly string[] | undefined, path: FieldPath): StatusCause[] {
  if (!versions?.length) return [required(path, `must specify one of ${ACCEPTED_REVIEW_VERSIONS.join(', ')}`)];
  const errs: StatusCause[] = [];
  const seen = new Set<string>();
  for (const [i, v] of versions.entries()) {
    if (seen.has(v)) errs.push(duplicate(index(path, i), v));
    seen.add(v);
  }
  if (!versions.some((v) => ACCEPTED_REVIEW_VERSIONS.includes(v))) errs.push(invalid(path, versions, `must include at least one of ${ACCEPTED_REVIEW_VERSIONS.join(', ')}`));
  return errs;
}

function validateWebhook(w: Webhook, path: FieldPath, mutating: boolean): StatusCause[] {
  const errs = fullyQualified(child(path, 'name'), w.name);
  for (const [i, r] of (w.rules ?? []).entries()) errs.push(...validateRuleWithOperations(r, index(child(path, 'rules'), i)));
  if (w.failurePolicy !== undefined && !FAILURE_POLICIES.includes(w.failurePolicy)) errs.push(notSupported(child(path, 'failurePolicy'), w.failurePolicy, FAILURE_POLICIES));
  if (w.matchPolicy !== undefined && !MATCH_POLICIES.includes(w.matchPolicy)) errs.push(notSupported(child(path, 'matchPolicy'), w.matchPolicy, MATCH_POLICIES));
  errs.push(...validateLabelSelector(w.namespaceSelector, child(path, 'namespaceSelector')));
  errs.push(...validateLabelSelector(w.objectSelector, child(path, 'objectSelector')));
  if (w.sideEffects === undefined) errs.push(required(child(path, 'sideEffects'), `must specify one of ${SIDE_EFFECTS.join(', ')}`));
  else if (!SIDE_EFFECTS.includes(w.sideEffects)) errs.push(notSupported(child(path, 'sideEffects'), w.sideEffects, SIDE_EFFECTS));
  if (w.timeoutSeconds !== undefined && (w.timeoutSeconds > 30 || w.timeoutSeconds < 1)) errs.push(invalid(child(path, 'timeoutSeconds'), w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
  errs.push(...validateClientConfig(w.clientConfig, child(path, 'clientConfig')));
  if (mutating && w.reinvocationPolicy !== undefined && !REINVOCATION.includes(w.reinvocationPolicy)) errs.push(notSupported(child(path, 'reinvocationPolicy'), w.reinvocationPolicy, REINVOCATION));
  errs.push(...validateMatchConditions(w.matchConditions, child(path, 'matchConditions')));
  errs.push(...validateReviewVersions(w.admissionReviewVersions, child(path, 'admissionReviewVersions')));
  return errs;
}

function validateConfiguration(c: { metadata?: ValidatingWebhookConfiguration['metadata']; webhooks?: Webhook[] }, old: typeof c | undefined, mutating: boolean): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(c.metadata, old.metadata) : validateObjectMeta(c.metadata, false, nameIsDNSSubdomain);
  const names = new Set<string>();
  for (const [i, w] of (c.webhooks ?? []).entries()) {
    const p = index('webhooks', i);
    errs.push(...validateWebhook(w, p, mutating));
    if (w.name && names.has(w.name)) errs.push(duplicate(child(p, 'name'), w.name));
    names.add(w.name);
  }
  return errs;
}

export function validateValidatingWebhookConfiguration(c: ValidatingWebhookConfiguration, old?: ValidatingWebhookConfiguration): StatusCause[] {
  return validateConfiguration(c, old, false);
}

export function validateMutatingWebhookConfiguration(c: MutatingWebhookConfiguration, old?: MutatingWebhookConfiguration): StatusCause[] {
  return validateConfiguration(c as never, old as never, true);
}
