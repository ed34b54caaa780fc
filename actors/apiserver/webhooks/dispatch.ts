/**
 * The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins: the webhooks of every
 * configuration (ordered by configuration name, then as listed) that match the request are
 * called — mutating ones one after another, each seeing the object as the previous one left
 * it, then once more for those with reinvocationPolicy IfNeeded when a later webhook changed
 * the object; validating ones side by side. A failed call is skipped under failurePolicy
 * Ignore and refuses the request under Fail; a denial refuses it. Nothing is awaited when no
 * webhook matches, so requests without webhooks run exactly as before.
 */
import type { KubeObject } from '../../../base/object.ts';
import { fail, internalError, ok, type Result } from '../../../base/status.ts';
import { deepEqual } from '../../../api/json.ts';
import { isExemptConfiguration, type AdmissionAttributes } from '../../../api/admission/attributes.ts';
import { webhookCallFailed, webhookDenied } from '../../../api/admission/errors.ts';
import { namespaceLabelsFor, rulesMatch, selectorsMatch } from '../../../api/admission/matching.ts';
import { applyReviewPatch } from '../../../api/admission/review.ts';
import type { Webhook } from '../../../api/admission/types.ts';
import type { ServerContext } from '../context.ts';
import { objectStorageKey } from '../storage-keys.ts';
import { evaluate } from '../admission-policy/cel.ts';
import { requestVar } from '../admission-policy/request.ts';
import { callWebhook, type CallOutcome } from './call.ts';

const MUTATING = 'mutatingwebhookconfigurations.admissionregistration.k8s.io';
const VALIDATING = 'validatingwebhookconfigurations.admissionregistration.k8s.io';

interface Hook {
  /** `<configuration>/<webhook>`: identifies a webhook for reinvocation. */
  key: string;
  hook: Webhook;
}

/** Whether any mutating (or validating) webhook configuration is stored: without one, a request's attributes are not even made. */
export function webhooksConfigured(s: ServerContext, mutating: boolean): boolean {
  return (s.cache.resources.get(mutating ? MUTATING : VALIDATING)?.items.size ?? 0) > 0;
}

/** The webhooks of the stored configurations of `gr`, in upstream's order. */
function hooksOf(s: ServerContext, gr: string): Hook[] {
  const configs = [...(s.cache.resources.get(gr)?.items.values() ?? [])];
  if (configs.length === 0) return [];
  configs.sort((x, y) => ((x.metadata?.name ?? '') < (y.metadata?.name ?? '') ? -1 : 1));
  return configs.flatMap((c) => ((c as { webhooks?: Webhook[] }).webhooks ?? []).map((hook) => ({ key: `${c.metadata?.name}/${hook.name}`, hook })));
}

function matches(s: ServerContext, h: Webhook, a: AdmissionAttributes): boolean {
  if (!rulesMatch(h.rules, a, h.matchPolicy)) return false;
  const nsLabels = namespaceLabelsFor(a, (ns) => s.cache.resources.get('namespaces')?.items.get(objectStorageKey('namespaces', undefined, ns))?.metadata?.labels);
  return selectorsMatch(h, a, nsLabels);
}

/**
 * The webhook's matchConditions (CEL over object, oldObject and request): all true to call
 * it; one false skips it; an error is the webhook's failure (its failurePolicy decides).
 */
function conditionsHold(h: Webhook, a: AdmissionAttributes): { ok: true; call: boolean } | { ok: false; reason: string } {
  if (!h.matchConditions?.length) return { ok: true, call: true };
  const vars = { object: a.object ?? null, oldObject: a.oldObject ?? null, request: requestVar(a) };
  for (const c of h.matchConditions) {
    const r = evaluate(c.expression, vars);
    if (!r.ok) return { ok: false, reason: `failed to evaluate match condition "${c.name}": ${r.error}` };
    if (r.value !== true) return { ok: true, call: false };
  }
  return { ok: true, call: true };
}

/** Calls a webhook whose rules and selectors match, unless its matchConditions say otherwise (null: not called). */
async function callMatching(s: ServerContext, hook: Webhook, a: AdmissionAttributes, mutating: boolean): Promise<CallOutcome | null> {
  const cond = conditionsHold(hook, a);
  if (!cond.ok) return cond;
  return cond.call ? callWebhook(s, hook, a, mutating) : null;
}

/** What admission made of a request: the object to go on with (mutating) and the warnings for the client. */
export interface Admitted {
  object?: KubeObject;
  warnings: string[];
}

/** The matching webhooks of `gr` for `a`; empty for the admission configuration kinds. */
function matching(s: ServerContext, gr: string, a: AdmissionAttributes): Hook[] {
  if (isExemptConfiguration(a)) return [];
  return hooksOf(s, gr).filter((h) => matches(s, h.hook, a));
}

/**
 * The mutating webhooks, or null when none matches (nothing to wait for). `decoded` gives the
 * object as decoding would (with its defaults), which is what webhooks are sent.
 */
export function mutatingWebhooks(s: ServerContext, a: AdmissionAttributes, decoded: (o: KubeObject) => KubeObject): Promise<Result<Admitted>> | null {
  const hooks = matching(s, MUTATING, a);
  return hooks.length ? runMutating(s, hooks, { ...a, ...(a.object ? { object: decoded(a.object) } : {}) }) : null;
}

async function runMutating(s: ServerContext, hooks: Hook[], a: AdmissionAttributes): Promise<Result<Admitted>> {
  let object = a.object;
  const warnings: string[] = [];
  const invokedIfNeeded = new Set<string>();
  const reinvoke = new Set<string>();
  const pass = async (list: Hook[], first: boolean): Promise<Result<true>> => {
    for (const { key, hook } of list) {
      const attrs = { ...a, object };
      // A webhook's selectors are matched against the object as the previous webhooks left it.
      if (!matches(s, hook, attrs)) continue;
      const out = await callMatching(s, hook, attrs, true);
      if (!out) continue;
      if (!out.ok) {
        if (hook.failurePolicy === 'Ignore') continue;
        return fail(webhookCallFailed(hook.name, out.reason));
      }
      const v = out.verdict;
      warnings.push(...v.warnings);
      if (!v.allowed) return fail(webhookDenied(hook.name, v.refusal));
      if (v.patch && object) {
        const patched = applyReviewPatch(object, v.patch);
        if (!patched.ok) return fail(internalError(patched.reason));
        if (!deepEqual(patched.object, object) && first) for (const k of invokedIfNeeded) reinvoke.add(k);
        object = patched.object;
      }
      if (first && hook.reinvocationPolicy === 'IfNeeded') invokedIfNeeded.add(key);
    }
    return ok(true);
  };
  const r = await pass(hooks, true);
  if (!r.ok) return r;
  if (reinvoke.size) {
    const again = await pass(hooks.filter((h) => reinvoke.has(h.key)), false);
    if (!again.ok) return again;
  }
  return ok({ ...(object ? { object } : {}), warnings });
}

/** The validating webhooks, or null when none matches. */
export function validatingWebhooks(s: ServerContext, a: AdmissionAttributes): Promise<Result<Admitted>> | null {
  const hooks = matching(s, VALIDATING, a);
  return hooks.length ? runValidating(s, hooks, a) : null;
}

async function runValidating(s: ServerContext, hooks: Hook[], a: AdmissionAttributes): Promise<Result<Admitted>> {
  const outcomes = await Promise.all(hooks.map(({ hook }) => callMatching(s, hook, a, false)));
  const warnings: string[] = [];
  // Every answer is read in the configured order, so which refusal is reported does not depend on timing.
  for (const [i, out] of outcomes.entries()) {
    const { hook } = hooks[i]!;
    if (!out) continue;
    if (!out.ok) {
      if (hook.failurePolicy === 'Ignore') continue;
      return fail(webhookCallFailed(hook.name, out.reason));
    }
    warnings.push(...out.verdict.warnings);
    if (!out.verdict.allowed) return fail(webhookDenied(hook.name, out.verdict.refusal));
  }
  return ok({ warnings });
}
