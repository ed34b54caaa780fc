/**
 * Who a request acts for. On the bus the sender address is the identity (the bus stamps
 * `from`; an actor cannot choose it), mapped to the Kubernetes user its component runs as.
 * Only trusted edges — the HTTP front and other gateways, at addresses starting with
 * TRUSTED_EDGE_PREFIX — may state a user in the payload, because they authenticated it.
 */
import type { UserInfo } from '../../bus/catalogue/api.ts';

/** Addresses whose `user` field is believed: the edges that authenticate people and clients. */
export const TRUSTED_EDGE_PREFIX = 'edge.';

const AUTHENTICATED = 'system:authenticated';

/** The Kubernetes user a bus address runs as (kubelet.<n> → system:node:<n>, ...). */
export function userForAddress(address: string): UserInfo {
  if (address.startsWith('kubelet.')) {
    return { username: `system:node:${address.slice('kubelet.'.length)}`, groups: ['system:nodes', AUTHENTICATED] };
  }
  if (address === 'scheduler') return { username: 'system:kube-scheduler', groups: [AUTHENTICATED] };
  if (address === 'controller' || address.startsWith('controller.')) {
    return { username: 'system:kube-controller-manager', groups: [AUTHENTICATED] };
  }
  if (address.startsWith('proxy.')) return { username: 'system:kube-proxy', groups: ['system:node-proxier', AUTHENTICATED] };
  if (address === 'apiserver') return { username: 'system:apiserver', groups: ['system:masters', AUTHENTICATED] };
  return { username: `system:bus:${address}`, groups: [AUTHENTICATED] };
}

/** The request's user: the stated one from a trusted edge, otherwise the sender's own. */
export function requestUser(from: string, stated: UserInfo | undefined): UserInfo {
  if (stated && from.startsWith(TRUSTED_EDGE_PREFIX)) return stated;
  return userForAddress(from);
}

/** The node a user is the kubelet of, or null (Kubernetes' NodeIdentifier). */
export function nodeOf(user: UserInfo): string | null {
  if (!user.username.startsWith('system:node:') || !user.groups.includes('system:nodes')) return null;
  const node = user.username.slice('system:node:'.length);
  return node || null;
}
