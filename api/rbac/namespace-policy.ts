/**
 * The namespaced part of the RBAC bootstrap policy (plugin/pkg/auth/authorizer/rbac/
 * bootstrappolicy/namespace_policy.go, Kubernetes 1.32), rule for rule: the Roles and
 * RoleBindings kube-apiserver keeps in kube-system and kube-public — reading the
 * extension-apiserver-authentication ConfigMap, the controller manager's and the scheduler's
 * leader locks, the bootstrap signer, the cloud provider and the token cleaner — in upstream's
 * order, then Kubeactor's own CoreDNS publisher. Reconciled at start with the cluster roles
 * (actors/apiserver/rbac-bootstrap.ts); each carries the bootstrap label and autoupdate annotation.
 */
import type { PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import { CONTROLLER_ROLE_PREFIX, eventsRule, meta, RBAC_GROUP, rule, serviceAccount, user } from './bootstrap-policy.ts';

const core = '';
const KUBE_SYSTEM = 'kube-system';
const KUBE_PUBLIC = 'kube-public';

function role(namespace: string, name: string, rules: PolicyRule[]): Role {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role', metadata: { ...meta(name), namespace }, rules };
}

/** A RoleBinding to the Role of the same namespace named `roleName` (the binding's name unless given). */
function binding(namespace: string, roleName: string, subjects: Subject[], name = roleName): RoleBinding {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'RoleBinding', metadata: { ...meta(name), namespace }, roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: roleName }, subjects };
}

const system = (sa: string): Subject => serviceAccount(KUBE_SYSTEM, sa);

/** The namespaced bootstrap Roles, kube-system's then kube-public's. */
export const BOOTSTRAP_ROLES: readonly Role[] = [
  // Authentication configuration an aggregated or delegating server reads at start.
  role(KUBE_SYSTEM, 'extension-apiserver-authentication-reader', [rule(['get', 'list', 'watch'], [core], ['configmaps'], ['extension-apiserver-authentication'])]),
  role(KUBE_SYSTEM, `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [rule(['get', 'list', 'watch'], [core], ['secrets'])]),
  // Deprecated upstream since 1.10, still installed.
  role(KUBE_SYSTEM, `${CONTROLLER_ROLE_PREFIX}cloud-provider`, [rule(['create', 'get', 'list', 'watch'], [core], ['configmaps'])]),
  role(KUBE_SYSTEM, `${CONTROLLER_ROLE_PREFIX}token-cleaner`, [rule(['get', 'list', 'watch', 'delete'], [core], ['secrets']), eventsRule()]),
  role(KUBE_SYSTEM, 'system::leader-locking-kube-controller-manager', [
    rule(['watch'], [core], ['configmaps']),
    rule(['get', 'update'], [core], ['configmaps'], ['kube-controller-manager']),
    rule(['get', 'watch', 'list', 'create', 'update'], ['coordination.k8s.io'], ['leases']),
  ]),
  role(KUBE_SYSTEM, 'system::leader-locking-kube-scheduler', [
    rule(['watch'], [core], ['configmaps']),
    rule(['get', 'update'], [core], ['configmaps'], ['kube-scheduler']),
  ]),
  // Kubeactor's own: the cluster DNS actor publishes its kube-dns Service and EndpointSlice in kube-system (kubeadm's
  // addon manifests' job elsewhere), so CoreDNS's account may keep that one Service.
  role(KUBE_SYSTEM, 'system:coredns:service-publisher', [
    rule(['get', 'update', 'patch'], [core], ['services'], ['kube-dns']),
    rule(['get', 'update', 'patch'], ['discovery.k8s.io'], ['endpointslices'], ['kube-dns-kubeactor']),
    rule(['create'], [core], ['services']),
    rule(['create'], ['discovery.k8s.io'], ['endpointslices']),
  ]),
  role(KUBE_PUBLIC, `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [
    rule(['get', 'list', 'watch'], [core], ['configmaps']),
    rule(['update'], [core], ['configmaps'], ['cluster-info']),
    eventsRule(),
  ]),
];

/** The namespaced bootstrap RoleBindings, kube-system's then kube-public's. */
export const BOOTSTRAP_ROLE_BINDINGS: readonly RoleBinding[] = [
  binding(KUBE_SYSTEM, 'extension-apiserver-authentication-reader', [user('system:kube-controller-manager'), user('system:kube-scheduler')], 'system::extension-apiserver-authentication-reader'),
  binding(KUBE_SYSTEM, 'system::leader-locking-kube-controller-manager', [user('system:kube-controller-manager'), system('kube-controller-manager'), system('leader-election-controller')]),
  binding(KUBE_SYSTEM, 'system::leader-locking-kube-scheduler', [user('system:kube-scheduler'), system('kube-scheduler')]),
  binding(KUBE_SYSTEM, `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [system('bootstrap-signer')]),
  binding(KUBE_SYSTEM, `${CONTROLLER_ROLE_PREFIX}cloud-provider`, [system('cloud-provider')]),
  binding(KUBE_SYSTEM, `${CONTROLLER_ROLE_PREFIX}token-cleaner`, [system('token-cleaner')]),
  binding(KUBE_SYSTEM, 'system:coredns:service-publisher', [system('coredns')]),
  binding(KUBE_PUBLIC, `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [system('bootstrap-signer')]),
];
