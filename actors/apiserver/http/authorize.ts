/**
 * What the front authorizes itself, because no api.* request carries it to the apiserver's
 * chain: non-resource paths (discovery, /openapi, /metrics, unknown paths), the connect
 * subresources it serves by talking to a kubelet (pods/log, exec, attach, portforward), and
 * impersonation (`Impersonate-User`, `Impersonate-Group`; kubectl --as, --as-group). Each is
 * asked of the apiserver as a SubjectAccessReview — the front speaking for itself — so one
 * authorizer chain decides everything. system:masters skips the round trip, as it would pass.
 */
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../../../bus/catalogue/api.ts';
import { forbidden, internalError, ok, type Result, type Status } from '../../../base/status.ts';
import { authorizationForbidden } from '../admission.ts';
import { AUTHENTICATED, MASTERS_GROUP, serviceAccountInfo } from '../identity.ts';
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
  const object = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {}, spec: { user: user.username, groups: user.groups, ...attrs } };
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


/**
 * Kubernetes' impersonation filter: with `Impersonate-User` (and any `Impersonate-Group`) the
 * request acts as that user once the caller may `impersonate` the user (or the ServiceAccount)
 * and each group; the impersonated user is in system:authenticated (and a ServiceAccount in
 * its groups). Without the headers, the caller itself.
 */
export async function impersonate(ctx: FrontContext, req: IncomingMessage, user: UserInfo): Promise<Result<UserInfo>> {
  const as = header(req, 'impersonate-user');
  const groups = headers(req, 'impersonate-group');
  if (as === undefined) {
    if (groups.length) return { ok: false, status: internalError(`requested [${groups.map((g) => `{Group  ${g}  authentication.k8s.io/v1  }`).join(' ')}] without impersonating a user`) };
    return ok(user);
  }
  const asks: ResourceAsk[] = [];
  let impliedGroups = [AUTHENTICATED];
  if (as.startsWith(SA_PREFIX)) {
    const [namespace = '', name = ''] = as.slice(SA_PREFIX.length).split(':');
    asks.push({ verb: 'impersonate', group: '', resource: 'serviceaccounts', namespace, name });
    impliedGroups = serviceAccountInfo(namespace, name).groups;
  } else {
    asks.push({ verb: 'impersonate', group: '', resource: 'users', name: as });
  }
  for (const g of groups) asks.push({ verb: 'impersonate', group: '', resource: 'groups', name: g });
  for (const a of asks) {
    const denied = await authorizeResource(ctx, user, a);
    if (denied) return { ok: false, status: denied };
  }
  const all = [...groups];
  for (const g of impliedGroups) if (!all.includes(g)) all.push(g);
  return ok({ username: as, groups: all });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function headers(req: IncomingMessage, name: string): string[] {
  // Node joins repeated headers with ", " (Impersonate-Group is sent once per group).
  const v = req.headers[name];
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return all.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}
