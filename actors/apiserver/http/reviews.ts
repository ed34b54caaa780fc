import type { ServedKind } from '../../../api/discovery/types.ts';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { badRequest, methodNotAllowed } from '../../../base/status.ts';
import { readBody } from './body.ts';
import type { FrontContext, RequestInfo } from './context.ts';
import { sendJson, sendStatus } from './respond.ts';
import type { ResourcePath } from './route.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isObject } from '../../../api/json.ts';
import { userInfoOf } from '../identity.ts';
import { setPfHeaders } from './flowcontrol.ts';

/**
 * The reviews: SelfSubjectReview (`kubectl auth whoami`) is answered by the front, which alone
 * knows who is calling; the authorization.k8s.io reviews (`kubectl auth can-i`, `--list`, a
 * webhook's SubjectAccessReview) go to the apiserver as creates by the caller, where the
 * authorizer chain answers them (actors/apiserver/access-reviews.ts).
 */
export const REVIEW_KINDS: readonly ServedKind[] = [
  { group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', resource: 'selfsubjectreviews', namespaced: false, verbs: ['create'] },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', resource: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'] },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', resource: 'selfsubjectrulesreviews', namespaced: false, verbs: ['create'] },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', resource: 'subjectaccessreviews', namespaced: false, verbs: ['create'] },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview', resource: 'localsubjectaccessreviews', namespaced: true, verbs: ['create'] },
];

export const isReview = (p: ResourcePath): boolean =>
  REVIEW_KINDS.some((k) => k.group === p.group && k.version === p.version && k.resource === p.resource);

/** POST of a review: decoded like any body (kubectl sends protobuf), answered 201 with its status filled in. */
export async function serveReview(ctx: FrontContext, info: RequestInfo, path: ResourcePath, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const kind = REVIEW_KINDS.find((k) => k.resource === path.resource);
  if (req.method !== 'POST' || path.name !== undefined || !kind || (path.namespace !== undefined) !== kind.namespaced) {
    req.resume();
    return sendStatus(res, methodNotAllowed());
  }
  const body = await readBody(req);
  if (!body.ok) return sendStatus(res, body.status);
  const value = body.value.value;
  if (!isObject(value)) return sendStatus(res, badRequest('the request body must be an object'));
  if (path.resource === 'selfsubjectreviews') {
    const meta = { ...(value.metadata as object | undefined), creationTimestamp: null };
    return sendJson(res, { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: meta, status: { userInfo: userInfoOf(info.user) } }, 201);
  }
  const target = { group: path.group, version: path.version, resource: path.resource, ...(path.namespace ? { namespace: path.namespace } : {}) };
  const r = await ctx.port.request(ctx.apiserver, 'api.create', { target, user: info.user, object: value as KubeObject }, { timeoutMs: ctx.requestTimeoutMs });
  setPfHeaders(res, r);
  return r.ok ? sendJson(res, r.value.object, 201) : sendStatus(res, r.status);
}
