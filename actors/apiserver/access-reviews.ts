/**
 * authorization.k8s.io/v1 reviews, answered and never stored (Kubernetes'
 * pkg/registry/authorization): SubjectAccessReview and LocalSubjectAccessReview ask the
 * authorizer chain about a user named in the spec, SelfSubjectAccessReview about the caller
 * (`kubectl auth can-i`), SelfSubjectRulesReview lists the caller's rules in a namespace
 * (`kubectl auth can-i --list`). Creating each is itself authorized first, as any create.
 */
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { KubeObject, UserInfo } from '../../bus/catalogue/api.ts';
import { badRequest, fail, ok, type Result } from '../../base/status.ts';
import { isObject } from '../../api/json.ts';
import { NODE_RULES } from '../../api/rbac/bootstrap-policy.ts';
import { authorize, type Attributes } from './authorizer.ts';
import { MASTERS_GROUP, userInfoOf } from './identity.ts';
import type { Call, ServerContext } from './context.ts';
import { nodeOf } from './identity.ts';
import { rbacRules } from './rbac.ts';
import type { PayloadShape, WriteReply } from './types.ts';

const GROUP = 'authorization.k8s.io';
const KINDS: Readonly<Record<string, string>> = {
  subjectaccessreviews: 'SubjectAccessReview',
  localsubjectaccessreviews: 'LocalSubjectAccessReview',
  selfsubjectaccessreviews: 'SelfSubjectAccessReview',
  selfsubjectrulesreviews: 'SelfSubjectRulesReview',
};

/** True for a review target: answered here, not a stored resource. */
export const isAccessReview = (t: { group: string; resource: string }): boolean => t.group === GROUP && Object.hasOwn(KINDS, t.resource);

type Spec = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
/** spec.extra: a map of lists of strings (ExtraValue); anything else is dropped. */
const extraOf = (v: unknown): Record<string, string[]> => (isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strings(x)])) : {});

/** The attributes a review's spec asks about, for `user`; an error when it names neither or both. */
function attributesOf(spec: Spec, user: UserInfo): Result<Attributes> {
  const res = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const non = isObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (res && non) return fail(badRequest('spec: Invalid value: "": cannot be specified in combination with resourceAttributes'));
  if (non) return ok({ user, verb: str(non.verb), path: str(non.path) });
  if (!res) return fail(badRequest('spec: Invalid value: "": exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  return ok({
    user,
    verb: str(res.verb),
    group: str(res.group),
    resource: str(res.resource),
    subresource: str(res.subresource) || undefined,
    namespace: str(res.namespace) || undefined,
    name: str(res.name) || undefined,
  });
}

/** Answers one review create. */
export function answerAccessReview(s: ServerContext, call: Call<PayloadShape<'api.create'>>): Result<WriteReply> {
  const { target, object } = call.payload;
  const kind = KINDS[target.resource] ?? '';
  const spec: Spec = isObject(object.spec) ? object.spec : {};
  let status: Record<string, unknown>;
  if (target.resource === 'selfsubjectrulesreviews') {
    status = { ...rulesOf(s, call.user, str(spec.namespace) || undefined), incomplete: false };
  } else {
    let user = call.user;
    if (target.resource === 'subjectaccessreviews' || target.resource === 'localsubjectaccessreviews') {
      if (!str(spec.user) && !strings(spec.groups).length) return fail(badRequest(`spec.user: Invalid value: "": at least one of user or group must be specified`));
      // uid and extra are carried to the authorizers as asked; RBAC matches neither.
      user = userInfoOf({ username: str(spec.user), uid: str(spec.uid), groups: strings(spec.groups), extra: extraOf(spec.extra) });
    }
    if (target.resource === 'localsubjectaccessreviews') {
      const ns = isObject(spec.resourceAttributes) ? str(spec.resourceAttributes.namespace) : '';
      if (ns !== (target.namespace ?? '')) return fail(badRequest(`spec.resourceAttributes.namespace must match namespace: ${target.namespace ?? ''}`));
    }
    const attrs = attributesOf(spec, user);
    if (!attrs.ok) return attrs;
    const d = authorize(s, attrs.value);
    status = d.allowed ? { allowed: true, ...(d.reason ? { reason: d.reason } : {}) } : { allowed: false, ...(d.reason ? { reason: d.reason } : {}) };
  }
  const metadata = { ...(isObject(object.metadata) ? object.metadata : {}), creationTimestamp: null, ...(target.namespace ? { namespace: target.namespace } : {}) };
  const answered = { kind, apiVersion: `${GROUP}/v1`, metadata, spec, status } as unknown as KubeObject;
  return ok({ object: answered, created: true });
}

/** What `user` may do in `namespace`, as SelfSubjectRulesReview's status lists it. */
function rulesOf(s: ServerContext, user: UserInfo, namespace: string | undefined) {
  const rules: PolicyRule[] = [];
  // Under RBAC, system:masters' rules are cluster-admin's, by its bootstrap binding.
  if (user.groups.includes(MASTERS_GROUP) && !s.authorizationModes.includes('RBAC')) rules.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] });
  if (s.authorizationModes.includes('Node') && nodeOf(user) !== null) rules.push(...NODE_RULES);
  if (s.authorizationModes.includes('RBAC')) rules.push(...rbacRules(s.cache, user, namespace));
  if (s.authorizationModes.includes('AlwaysAllow')) rules.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] });
  return {
    resourceRules: rules.filter((r) => !r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) })),
    nonResourceRules: rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
  };
}
