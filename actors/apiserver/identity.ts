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

/**
 * The group a node's kube-proxy is in: it stands for the ClusterRoleBinding that grants
 * kube-proxy the ClusterRole system:node-proxier (kubeadm's kubeadm:node-proxier).
 */
export const NODE_PROXIER_GROUP = 'system:node-proxier';

/**
 * Who a `pod.*` address is. Pods hold no bus credentials: their node's process holds the
 * address, so it must carry no more than the node's authority — and a pod talks to the
 * apiserver with its ServiceAccount token through the front, never as its node. Kubernetes'
 * name for a caller without credentials; the authorizer denies it everything.
 */
export const ANONYMOUS_USER: UserInfo = Object.freeze({ username: 'system:anonymous', groups: Object.freeze(['system:unauthenticated']) as string[] });

/**
 * The Kubernetes user a bus address runs as (kubelet.<n> → system:node:<n>, ...). Every
 * address a node identity may hold (bus/identities.ts: kubelet.<n>, proxy.<n>, pod.*) maps to
 * a user with no more authority than that node's kubelet, so NodeRestriction and the node
 * authorizer bind whatever address a node process sends from.
 */
export function userForAddress(address: string): UserInfo {
  if (address.startsWith('kubelet.')) return nodeUser(address.slice('kubelet.'.length));
  // kube-proxy runs on the node, with the node's credentials and the system:node-proxier rules.
  if (address.startsWith('proxy.')) {
    const node = nodeUser(address.slice('proxy.'.length));
    return { ...node, groups: [...node.groups, NODE_PROXIER_GROUP] };
  }
  if (address.startsWith('pod.')) return ANONYMOUS_USER;
  if (address === 'scheduler') return { username: 'system:kube-scheduler', groups: [AUTHENTICATED] };
  // The control plane's shared informer factory lists and watches for the controllers and the scheduler alike.
  if (address === 'controller' || address.startsWith('controller.') || address === 'informers') {
    return { username: 'system:kube-controller-manager', groups: [AUTHENTICATED] };
  }
  // Cluster DNS runs as CoreDNS's ServiceAccount does.
  if (address === 'dns') return { username: 'system:serviceaccount:kube-system:coredns', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', AUTHENTICATED] };
  if (address === 'apiserver') return { username: 'system:apiserver', groups: ['system:masters', AUTHENTICATED] };
  return { username: `system:bus:${address}`, groups: [AUTHENTICATED] };
}

const nodeUser = (node: string): UserInfo => ({ username: `system:node:${node}`, groups: ['system:nodes', AUTHENTICATED] });

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
