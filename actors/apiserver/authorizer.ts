/**
 * The authorizer chain every request goes through, bus and REST alike, as kube-apiserver's
 * `--authorization-mode` builds it: members of system:masters are always allowed (the
 * privileged-group authorizer upstream puts first), then each mode in order until one allows —
 * Node (node-authorizer.ts), RBAC (the stored roles and bindings, rbac.ts), AlwaysAllow,
 * AlwaysDeny. No opinion from every mode is a denial, with the modes' reasons joined.
 *
 * system:anonymous is what a `pod.*` bus address is (identity.ts); it holds no credentials, so
 * it is denied resources even under AlwaysAllow.
 */
import type { UserInfo } from '../../bus/catalogue/api.ts';
import { forbidden, type Status } from '../../base/status.ts';
import { isResourceRequest, type NonResourceAttributes, type ResourceAttributes } from '../../api/rbac/rules.ts';
import { authorizationForbidden } from './admission.ts';
import type { ServerContext } from './context.ts';
import { ANONYMOUS_USER, MASTERS_GROUP, nodeOf } from './identity.ts';
import { nodeDecision } from './node-authorizer.ts';
import { rbacRules, rulesAllowRemembered } from './rbac.ts';

/** kube-apiserver's --authorization-mode values served here. */
export const AUTHORIZATION_MODES = ['Node', 'RBAC', 'AlwaysAllow', 'AlwaysDeny'] as const;
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];
/** kube-apiserver's default since 1.x for kubeadm clusters: `Node,RBAC`. */
export const DEFAULT_AUTHORIZATION_MODES: readonly AuthorizationMode[] = ['Node', 'RBAC'];

/** What a request is asked about: a resource or a path, and who asks. */
export type Attributes = (ResourceAttributes | NonResourceAttributes) & { readonly user: UserInfo };

export interface Decision {
  readonly allowed: boolean;
  /** Why (the allowing rule's source) or why not (joined reasons of the modes that had no opinion). */
  readonly reason: string;
}

/** Parses `Node,RBAC`; throws on an unknown or repeated mode, as kube-apiserver refuses to start. */
export function parseAuthorizationModes(value: string): AuthorizationMode[] {
  const modes = value.split(',').map((m) => m.trim()).filter(Boolean);
  if (!modes.length) throw new Error('--authorization-mode: at least one authorization mode must be passed');
  const seen = new Set<string>();
  for (const m of modes) {
    if (!(AUTHORIZATION_MODES as readonly string[]).includes(m)) throw new Error(`--authorization-mode: authorization mode "${m}" is not supported; supported modes: ${AUTHORIZATION_MODES.join(', ')}`);
    if (seen.has(m)) throw new Error(`--authorization-mode: "${m}" was given more than once`);
    seen.add(m);
  }
  return modes as AuthorizationMode[];
}

/** The answers the chain gives most requests, made once (their reasons are fixed). */
const ALLOWED: Decision = Object.freeze({ allowed: true, reason: '' });
const RBAC_ALLOWED: Decision = Object.freeze({ allowed: true, reason: 'RBAC: allowed' });

/** The chain's decision for one request. */
export function authorize(s: ServerContext, a: Attributes): Decision {
  if (a.user.groups.includes(MASTERS_GROUP)) return ALLOWED;
  // Made only when a mode has a reason to give: most requests are allowed by the first mode that has an opinion.
  let reasons: string[] | null = null;
  for (const mode of s.authorizationModes) {
    switch (mode) {
      case 'AlwaysAllow':
        if (a.user.username !== ANONYMOUS_USER.username || !isResourceRequest(a)) return ALLOWED;
        break;
      case 'AlwaysDeny':
        return { allowed: false, reason: reasons?.join('\n') ?? '' };
      case 'Node': {
        const node = nodeOf(a.user);
        if (node === null || !isResourceRequest(a)) break;
        const why = nodeDecision(s, node, a);
        if (why === null) return ALLOWED;
        if (why) (reasons ??= []).push(why);
        break;
      }
      case 'RBAC': {
        const ns = isResourceRequest(a) ? a.namespace : undefined;
        if (rulesAllowRemembered(a, rbacRules(s.cache, a.user, ns))) return RBAC_ALLOWED;
        break;
      }
    }
  }
  return { allowed: false, reason: reasons?.join('\n') ?? '' };
}

/** The 403 to answer a request the chain denies, or null when it is allowed. */
export function authorizeRequest(s: ServerContext, a: Attributes): Status | null {
  const d = authorize(s, a);
  return d.allowed ? null : forbiddenFor(a, d.reason);
}

/**
 * Kubernetes' responsewriters.ForbiddenStatusError: `pods "x" is forbidden: User "u" cannot get
 * resource "pods" in API group "" in the namespace "ns"`, or `forbidden: User "u" cannot get
 * path "/metrics"` for a path.
 */
export function forbiddenFor(a: Attributes, reason: string): Status {
  if (isResourceRequest(a)) return authorizationForbidden({ ...a, res: a }, reason);
  return forbidden(`forbidden: User "${a.user.username}" cannot ${a.verb} path "${a.path}"${reason ? `: ${reason}` : ''}`, {});
}
