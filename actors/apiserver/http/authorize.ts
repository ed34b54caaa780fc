/**
 * What the front authorizes itself, because no api.* request carries it to the apiserver's
 * chain: non-resource paths (discovery, /openapi, /metrics, unknown paths), the connect
 * subresources it serves by talking to a kubelet (pods/log, exec, attach, portforward), and
 * impersonation (`Impersonate-User`, `-Group`, `-Uid`, `-Extra-*`; kubectl --as, --as-group, --as-uid). Each is
 * asked of the apiserver as a SubjectAccessReview — the front speaking for itself — so one
 * authorizer chain decides everything. system:masters skips the round trip, as it would pass.
 */
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../../../bus/catalogue/api.ts';
import { badRequest, forbidden, ok, type Result, type Status } from '../../../base/status.ts';
import { authorizationForbidden } from '../admission.ts';
import { AUTHENTICATED, MASTERS_GROUP, serviceAccountInfo, userInfoOf } from '../identity.ts';
import { SA_PREFIX } from '../../../api/rbac/rules.ts';
import type { FrontContext } from './context.ts';


interface ResourceAsk {
  verb: string;
  group: string;
  resource: string;
  subresource?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
}

/** The chain's answer for `user` (a SubjectAccessReview by the front); a failed review is a denial. */
async function review(ctx: FrontContext, user: UserInfo, attrs: { resourceAttributes: ResourceAsk } | { nonResourceAttributes: { verb: string; path: string } }): Promise<{ allowed: boolean; reason: string }> {
  if (user.groups.includes(MASTERS_GROUP)) return { allowed: true, reason: '' };
  const { username, uid, groups, extra } = userInfoOf(user);
  const who = { user: username, ...(uid ? { uid } : {}), groups, ...(extra ? { extra } : {}) };
  const object = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {}, spec: { ...who, ...attrs } };
  const target = { group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews' };
  const r = await ctx.port.request(ctx.apiserver, 'api.create', { target, object }, { timeoutMs: ctx.requestTimeoutMs });
  if (!r.ok) return { allowed: false, reason: r.status.message };
  const st = (r.value.object as { status?: { allowed?: boolean; reason?: string } }).status;
  return { allowed: st?.allowed === true, reason: st?.reason ?? '' };
}

/** A non-resource request (verb: the lowercased HTTP method): null when allowed, else `forbidden: User "u" cannot get path "/x"`. */
export async function authorizePath(ctx: FrontContext, user: UserInfo, method: string, path: string): Promise<Status | null> {
  const verb = method.toLowerCase();
  const d = await review(ctx, user, { nonResourceAttributes: { verb, path } });
  return d.allowed ? null : forbidden(`forbidden: User "${user.username}" cannot ${verb} path "${path}"${d.reason ? `: ${d.reason}` : ''}`, {});
}

/** A resource request the front serves itself (a connect subresource): null when allowed, else the 403. */
export async function authorizeResource(ctx: FrontContext, user: UserInfo, a: ResourceAsk): Promise<Status | null> {
  const d = await review(ctx, user, { resourceAttributes: a });
  return d.allowed ? null : authorizationForbidden({ ...a, user, res: a }, d.reason);
}

/** A connect subresource's verb: POST (SPDY) is create, GET (WebSocket, logs) is get, as kube-apiserver's RequestInfo has it. */
export const connectVerb = (method: string | undefined): string => (method === 'POST' ? 'create' : 'get');


/** One thing a request asks to act as, and how Go prints it (%v of a v1.ObjectReference) in the error. */
interface ImpersonationAsk {
  ask: ResourceAsk;
  ref: string;
}

const AUTHN_V1 = 'authentication.k8s.io/v1';
const ANONYMOUS = 'system:anonymous';
const UNAUTHENTICATED = 'system:unauthenticated';
/** Go's %v of an ObjectReference: {Kind Namespace Name UID APIVersion ResourceVersion FieldPath}. */
const refString = (kind: string, name: string, apiVersion = '', namespace = '', fieldPath = ''): string => `{${[kind, namespace, name, '', apiVersion, '', fieldPath].join(' ')}}`;

/**
 * Kubernetes' impersonation filter (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go):
 * with `Impersonate-User`, and any `Impersonate-Group`, `Impersonate-Extra-<key>` and
 * `Impersonate-Uid`, the request acts as that user once the caller may `impersonate` each:
 * the user (or the ServiceAccount), every group, every extra value (`userextras/<key>` of
 * authentication.k8s.io, named by the value) and the uid (`uids`, named by it). Groups, extras
 * or a uid without a user are a 400. The impersonated user is in system:authenticated (or
 * system:unauthenticated for system:anonymous) and a ServiceAccount in its account groups
 * unless groups are given. Without the headers, the caller itself.
 */
export async function impersonate(ctx: FrontContext, req: IncomingMessage, user: UserInfo): Promise<Result<UserInfo>> {
  const as = header(req, 'impersonate-user') ?? '';
  const groups = headers(req, 'impersonate-group');
  const extra = extraHeaders(req);
  const uid = header(req, 'impersonate-uid') ?? '';
  const asks: ImpersonationAsk[] = [];
  let accountGroups: string[] = [];
  if (as.startsWith(SA_PREFIX)) {
    const [namespace = '', name = ''] = as.slice(SA_PREFIX.length).split(':');
    asks.push({ ask: { verb: 'impersonate', group: '', resource: 'serviceaccounts', namespace, name }, ref: refString('ServiceAccount', name, '', namespace) });
    accountGroups = serviceAccountInfo(namespace, name).groups.filter((g) => g !== AUTHENTICATED);
  } else if (as) {
    asks.push({ ask: { verb: 'impersonate', group: '', resource: 'users', name: as }, ref: refString('User', as) });
  }
  for (const g of groups) asks.push({ ask: { verb: 'impersonate', group: '', resource: 'groups', name: g }, ref: refString('Group', g) });
  for (const [key, values] of Object.entries(extra)) {
    for (const v of values) asks.push({ ask: { verb: 'impersonate', group: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: v }, ref: refString('UserExtra', v, AUTHN_V1, '', key) });
  }
  if (uid) asks.push({ ask: { verb: 'impersonate', group: 'authentication.k8s.io', resource: 'uids', name: uid }, ref: refString('UID', uid, AUTHN_V1) });
  if (!as) {
    if (asks.length) return { ok: false, status: badRequest(`requested [${asks.map((a) => a.ref).join(' ')}] without impersonating a user`) };
    return ok(user);
  }
  for (const { ask } of asks) {
    const denied = await authorizeResource(ctx, user, ask);
    if (denied) return { ok: false, status: denied };
  }
  const all = groups.length ? [...groups] : accountGroups;
  if (as !== ANONYMOUS) {
    if (!all.includes(AUTHENTICATED) && !all.includes(UNAUTHENTICATED)) all.push(AUTHENTICATED);
  } else if (!all.includes(UNAUTHENTICATED)) all.push(UNAUTHENTICATED);
  return ok(userInfoOf({ username: as, uid, groups: all, extra }));
}

function header(req: IncomingMessage, name: string): string | undefined {
  return req.headersDistinct[name]?.[0];
}

function headers(req: IncomingMessage, name: string): string[] {
  return req.headersDistinct[name] ?? [];
}

/** Impersonate-Extra-<key> headers: the key lower-cased and %-decoded (as upstream, a malformed escape is kept as sent). */
function extraHeaders(req: IncomingMessage): Record<string, string[]> {
  const extra: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (!name.startsWith(EXTRA_PREFIX) || !values) continue;
    const key = unescapeKey(name.slice(EXTRA_PREFIX.length));
    extra[key] = [...(extra[key] ?? []), ...values];
  }
  return extra;
}

const EXTRA_PREFIX = 'impersonate-extra-';

function unescapeKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}
