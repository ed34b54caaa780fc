/**
 * Who a request acts for. On the bus the sender address is the identity (the bus stamps
 * `from`; an actor cannot choose it), mapped to the Kubernetes user its component runs as.
 * Only trusted edges — the HTTP front and other gateways, at addresses starting with
 * TRUSTED_EDGE_PREFIX — may state a user in the payload, because they authenticated it.
 */
import { randomUUID } from 'node:crypto';
import type { UserInfo } from '../../bus/catalogue/api.ts';
import { serviceAccountUser } from '../../api/rbac/rules.ts';

/** Addresses whose `user` field is believed: the edges that authenticate people and clients. */
export const TRUSTED_EDGE_PREFIX = 'edge.';
/** The HTTP front's bus address (one front; another's is `edge.http-…`). */
export const HTTP_FRONT_ADDRESS = 'edge.http';

/** The group every authenticated user is in. */
export const AUTHENTICATED = 'system:authenticated';
/** The privileged group whose members every request is allowed (user.SystemPrivilegedGroup). */
export const MASTERS_GROUP = 'system:masters';

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
  if (address.startsWith('pod.')) return ANONYMOUS_USER;
  // One frozen user per address: every request asks, and audit keys its serialized user on the object.
  let user = byAddress.get(address);
  if (!user) byAddress.set(address, (user = frozen(addressUser(address))));
  return user;
}

/** The loopback user's uid: a random UUID per apiserver process, as kube-apiserver's AuthorizeClientBearerToken makes it. */
const APISERVER_UID = randomUUID();

const frozen = (u: UserInfo): UserInfo => (Object.freeze(u.groups), Object.freeze(u));

/** The users of the addresses that sent requests (kubelets, proxies, controllers: bounded by the nodes). */
const byAddress = new Map<string, UserInfo>();

function addressUser(address: string): UserInfo {
  if (address.startsWith('kubelet.')) return nodeUser(address.slice('kubelet.'.length));
  // kube-proxy, bound to system:node-proxier (no more than its node may read, bar EndpointSlices).
  if (address.startsWith('proxy.')) return { username: 'system:kube-proxy', groups: [AUTHENTICATED] };
  // kube-scheduler's leader-election candidate (lease.<lock>) runs as the scheduler does, kube-controller-manager's as it does.
  if (address === 'scheduler' || address === 'lease.kube-scheduler') return { username: 'system:kube-scheduler', groups: [AUTHENTICATED] };
  if (address === 'lease.kube-controller-manager') return { username: 'system:kube-controller-manager', groups: [AUTHENTICATED] };
  // Each controller acts as its own ServiceAccount (kube-controller-manager --use-service-account-credentials).
  const account = address.startsWith('controller.') ? CONTROLLER_ACCOUNTS[address.slice('controller.'.length)] : undefined;
  if (account) return kubeSystemAccount(account);
  // The control plane's shared informer factory lists and watches for the controllers and the scheduler alike.
  // A role process's factory has its own address (informers.<process>): two processes must not share watch ids.
  if (address === 'controller' || address === 'informers' || address.startsWith('informers.')) return { username: 'system:kube-controller-manager', groups: [AUTHENTICATED] };
  // Cluster DNS runs as CoreDNS's ServiceAccount does (kubeadm binds it to system:coredns).
  if (address === 'dns') return kubeSystemAccount('coredns');
  // metrics-server runs as its ServiceAccount, bound to system:metrics-server (its manifests' role).
  if (address === 'metrics-server') return kubeSystemAccount('metrics-server');
  // The apiserver, and an edge speaking for itself (its own token review), are the apiserver's loopback client.
  if (address === 'apiserver' || address.startsWith(TRUSTED_EDGE_PREFIX)) return { username: 'system:apiserver', uid: APISERVER_UID, groups: [AUTHENTICATED, MASTERS_GROUP] };
  // Any other address is one only the control plane's own process can hold (bus/identities.ts: a node
  // identity claims its kubelet, proxy and pods only), and that process may already speak as an edge:
  // it is the control plane's loopback client, as privileged as the apiserver.
  return { username: `system:bus:${address}`, groups: [MASTERS_GROUP, AUTHENTICATED] };
}

/**
 * A user as Kubernetes writes UserInfo (authentication/v1, and audit's user): username, uid,
 * groups, extra, in that order, an empty uid or extra left out.
 */
export function userInfoOf(user: { username: string; uid?: string | undefined; groups: readonly string[]; extra?: Record<string, string[]> | undefined }): UserInfo {
  const extra = user.extra && Object.keys(user.extra).length ? { extra: user.extra } : {};
  return { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: [...user.groups], ...extra };
}

/** The user a ServiceAccount authenticates as, with the groups its tokens carry. */
export const serviceAccountInfo = (namespace: string, name: string): UserInfo => ({
  username: serviceAccountUser(namespace, name),
  groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, AUTHENTICATED],
});

const kubeSystemAccount = (name: string): UserInfo => serviceAccountInfo('kube-system', name);

/**
 * The kube-system ServiceAccount each controller runs as: the name kube-controller-manager
 * (or cloud-controller-manager) gives it, whose system:controller:<name> role the bootstrap
 * policy holds.
 */
export const CONTROLLER_ACCOUNTS: Readonly<Record<string, string>> = {
  replicaset: 'replicaset-controller',
  deployment: 'deployment-controller',
  'garbage-collector': 'generic-garbage-collector',
  namespace: 'namespace-controller',
  endpoint: 'endpoint-controller',
  endpointslice: 'endpointslice-controller',
  serviceaccount: 'service-account-controller',
  'root-ca-cert-publisher': 'root-ca-cert-publisher',
  nodelifecycle: 'node-controller',
  job: 'job-controller',
  cronjob: 'cronjob-controller',
  'ttl-after-finished': 'ttl-after-finished-controller',
  daemonset: 'daemon-set-controller',
  statefulset: 'statefulset-controller',
  disruption: 'disruption-controller',
  'cloud-service': 'service-controller',
  'cloud-node': 'cloud-node-controller',
  'persistentvolume-binder': 'persistent-volume-binder',
  'local-path': 'local-path-provisioner',
  'pvc-protection': 'pvc-protection-controller',
  'pv-protection': 'pv-protection-controller',
  'ephemeral-volume': 'ephemeral-volume-controller',
  'clusterrole-aggregation': 'clusterrole-aggregation-controller',
  csrsigning: 'certificate-controller',
  resourcequota: 'resourcequota-controller',
  apiextensions: 'apiextensions-controller',
  replicationcontroller: 'replication-controller',
  horizontalpodautoscaling: 'horizontal-pod-autoscaler',
};

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
