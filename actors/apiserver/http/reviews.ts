import type { ServedKind } from '../../../api/discovery/types.ts';
import type { UserInfo } from '../../../bus/catalogue/api.ts';
import { badRequest, methodNotAllowed } from '../../../base/status.ts';
import { readBody } from './body.ts';
import type { RequestInfo } from './context.ts';
import { sendJson, sendStatus } from './respond.ts';
import type { ResourcePath } from './route.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isObject } from '../../../api/json.ts';

/**
 * The self-reviews, answered by the front because only the front knows who is calling:
 * `kubectl auth whoami` (SelfSubjectReview) and `kubectl auth can-i` (SelfSubjectAccessReview).
 * Members of system:masters may do everything, as in Kubernetes, where that group bypasses
 * authorization; for anyone else there is no authorizer yet, so the answer is "no".
 */
export const REVIEW_KINDS: readonly ServedKind[] = [
  { group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', resource: 'selfsubjectreviews', namespaced: false, verbs: ['create'] },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', resource: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'] },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', resource: 'selfsubjectrulesreviews', namespaced: false, verbs: ['create'] },
];

export const isReview = (p: ResourcePath): boolean =>
  REVIEW_KINDS.some((k) => k.group === p.group && k.version === p.version && k.resource === p.resource);

const isMaster = (u: UserInfo): boolean => u.groups.includes('system:masters');

function answer(resource: string, body: Record<string, unknown>, user: UserInfo): Record<string, unknown> | null {
  const meta = { ...(body.metadata as object | undefined), creationTimestamp: null };
  switch (resource) {
    case 'selfsubjectreviews':
      return { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: meta, status: { userInfo: { username: user.username, groups: user.groups } } };
    case 'selfsubjectaccessreviews':
      return {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: meta,
        spec: body.spec ?? {},
        status: isMaster(user) ? { allowed: true, reason: 'member of system:masters' } : { allowed: false, reason: 'no authorizer grants this user anything yet' },
      };
    case 'selfsubjectrulesreviews': {
      const all = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
      const rules = isMaster(user) ? { resourceRules: [all], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] } : { resourceRules: [], nonResourceRules: [] };
      return { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: meta, spec: body.spec ?? {}, status: { ...rules, incomplete: false } };
    }
    default:
      return null;
  }
}

/** POST of a self-review: decoded like any body (kubectl sends protobuf), answered 201 with its status filled in. */
export async function serveReview(info: RequestInfo, path: ResourcePath, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || path.name !== undefined || path.namespace !== undefined) {
    req.resume();
    return sendStatus(res, methodNotAllowed());
  }
  const body = await readBody(req);
  if (!body.ok) return sendStatus(res, body.status);
  const value = body.value.value;
  if (!isObject(value)) return sendStatus(res, badRequest('the request body must be an object'));
  const out = answer(path.resource, value, info.user);
  return out ? sendJson(res, out, 201) : sendStatus(res, methodNotAllowed());
}
