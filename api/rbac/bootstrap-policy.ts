/**
 * The RBAC bootstrap policy kube-apiserver installs (plugin/pkg/auth/authorizer/rbac/
 * bootstrappolicy policy.go, controller_policy.go and namespace_policy.go, Kubernetes 1.32 with its default feature
 * gates), rule for rule: the ClusterRoles, their ClusterRoleBindings, and the
 * system:controller:* roles each bound to its controller's kube-system ServiceAccount, and the
 * namespaced Roles of kube-system and kube-public with their RoleBindings.
 * Every object carries the label kubernetes.io/bootstrapping=rbac-defaults and the annotation
 * rbac.authorization.kubernetes.io/autoupdate=true (reconciled at start, actors/apiserver/rbac-bootstrap.ts).
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_WRITE = [...READ, ...WRITE];
const READ_UPDATE = ['get', 'list', 'watch', 'update', 'patch'];

const core = '';
const apps = 'apps';
const authn = 'authentication.k8s.io';
const authz = 'authorization.k8s.io';
const autoscaling = 'autoscaling';
const batch = 'batch';
const certificates = 'certificates.k8s.io';
const coordination = 'coordination.k8s.io';
const discovery = 'discovery.k8s.io';
const extensions = 'extensions';
const policy = 'policy';
const rbac = 'rbac.authorization.k8s.io';
const storage = 'storage.k8s.io';
const networking = 'networking.k8s.io';
const events = 'events.k8s.io';

export const RBAC_GROUP = rbac;
export const BOOTSTRAP_LABEL = { 'kubernetes.io/bootstrapping': 'rbac-defaults' } as const;
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
/** The prefix of the controller roles; the rest of the name is the controller's ServiceAccount in kube-system. */
export const CONTROLLER_ROLE_PREFIX = 'system:controller:';

function rule(verbs: string[], groups: string[], resources: string[], names?: string[]): PolicyRule {
  return { verbs, apiGroups: groups, resources, ...(names ? { resourceNames: names } : {}) };
}
const urls = (verbs: string[], paths: string[]): PolicyRule => ({ verbs, nonResourceURLs: paths });
const eventsRule = (): PolicyRule => rule(['create', 'update', 'patch'], [core, events], ['events']);

const meta = (name: string, labels: Record<string, string> = {}) => ({
  name,
  labels: { ...labels, ...BOOTSTRAP_LABEL },
  annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
});

function role(name: string, rules: PolicyRule[], labels?: Record<string, string>): ClusterRole {
  return { apiVersion: `${rbac}/v1`, kind: 'ClusterRole', metadata: meta(name, labels), rules };
}

function aggregated(name: string, selectorLabel: string, labels?: Record<string, string>): ClusterRole {
  return {
    apiVersion: `${rbac}/v1`,
    kind: 'ClusterRole',
    metadata: meta(name, labels),
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [selectorLabel]: 'true' } }] },
    rules: [],
  };
}

export const user = (name: string): Subject => ({ kind: 'User', apiGroup: rbac, name });
export const group = (name: string): Subject => ({ kind: 'Group', apiGroup: rbac, name });
export const serviceAccount = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

function binding(roleName: string, subjects: Subject[], name = roleName): ClusterRoleBinding {
  return { apiVersion: `${rbac}/v1`, kind: 'ClusterRoleBinding', metadata: meta(name), roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: roleName }, subjects };
}

const TO_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
const TO_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
const TO_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

/** NodeRules: what every node may do, the Node authorizer's static part. */
export const NODE_RULES: readonly PolicyRule[] = [
  rule(['create'], [authn], ['tokenreviews']),
  rule(['create'], [authz], ['subjectaccessreviews', 'localsubjectaccessreviews']),
  rule(READ, [core], ['services']),
  rule(['create', 'get', 'list', 'watch'], [core], ['nodes']),
  rule(['update', 'patch'], [core], ['nodes/status']),
  rule(['update', 'patch'], [core], ['nodes']),
  rule(['create', 'update', 'patch'], [core], ['events']),
  rule(READ, [core], ['pods']),
  rule(['create', 'delete'], [core], ['pods']),
  rule(['update', 'patch'], [core], ['pods/status']),
  rule(['create'], [core], ['pods/eviction']),
  rule(['get', 'list', 'watch'], [core], ['secrets', 'configmaps']),
  rule(['get'], [core], ['persistentvolumeclaims', 'persistentvolumes']),
  rule(['get'], [core], ['endpoints']),
  rule(['create', 'get', 'list', 'watch'], [certificates], ['certificatesigningrequests']),
  rule(['get', 'create', 'update', 'patch', 'delete'], [coordination], ['leases']),
  rule(['get'], [storage], ['volumeattachments']),
  rule(['create'], [core], ['serviceaccounts/token']),
  rule(['get', 'update', 'patch'], [core], ['persistentvolumeclaims/status']),
  rule(['get', 'watch', 'list'], [storage], ['csidrivers']),
  rule(['get', 'create', 'update', 'patch', 'delete'], [storage], ['csinodes']),
  rule(['get', 'list', 'watch'], ['node.k8s.io'], ['runtimeclasses']),
];

/** system:node-proxier, the role kube-proxy is bound to. */
export const NODE_PROXIER_RULES: readonly PolicyRule[] = [
  rule(['list', 'watch'], [core], ['services', 'endpoints']),
  rule(['get', 'list', 'watch'], [core], ['nodes']),
  eventsRule(),
  rule(['list', 'watch'], [discovery], ['endpointslices']),
];

const KUBE_SCHEDULER_RULES: PolicyRule[] = [
  eventsRule(),
  rule(['create'], [coordination], ['leases']),
  rule(['get', 'update'], [coordination], ['leases'], ['kube-scheduler']),
  rule(['create'], [core], ['endpoints']),
  rule(['get', 'update'], [core], ['endpoints'], ['kube-scheduler']),
  rule(READ, [core], ['nodes']),
  rule(['get', 'list', 'watch', 'delete'], [core], ['pods']),
  rule(['create'], [core], ['pods/binding', 'bindings']),
  rule(['patch', 'update'], [core], ['pods/status']),
  rule(READ, [core], ['services', 'replicationcontrollers']),
  rule(READ, [apps, extensions], ['replicasets']),
  rule(READ, [apps], ['statefulsets']),
  rule(READ, [policy], ['poddisruptionbudgets']),
  rule(READ, [core], ['persistentvolumeclaims', 'persistentvolumes']),
  rule(['create'], [authn], ['tokenreviews']),
  rule(['create'], [authz], ['subjectaccessreviews']),
  rule(READ, [storage], ['csinodes']),
  rule(READ, [core], ['namespaces']),
  rule(READ, [storage], ['csidrivers']),
  rule(READ, [storage], ['csistoragecapacities']),
];

const CLUSTER_ROLES: ClusterRole[] = [
  role('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
  role('system:discovery', [urls(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*'])]),
  role('system:monitoring', [urls(['get'], ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*'])]),
  role('system:basic-user', [rule(['create'], [authz], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), rule(['create'], [authn], ['selfsubjectreviews'])]),
  role('system:public-info-viewer', [urls(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/'])]),
  aggregated('admin', TO_ADMIN),
  aggregated('edit', TO_EDIT, { [TO_ADMIN]: 'true' }),
  aggregated('view', TO_VIEW, { [TO_EDIT]: 'true' }),
  role('system:aggregate-to-admin', [
    rule(['create'], [authz], ['localsubjectaccessreviews']),
    rule(READ_WRITE, [rbac], ['roles', 'rolebindings']),
  ], { [TO_ADMIN]: 'true' }),
  role('system:aggregate-to-edit', [
    rule(READ, [core], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
    rule(['impersonate'], [core], ['serviceaccounts']),
    rule(WRITE, [core], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
    rule(['create'], [core], ['pods/eviction']),
    rule(WRITE, [core], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'persistentvolumeclaims', 'configmaps', 'secrets', 'events']),
    rule(['create'], [core], ['serviceaccounts/token']),
    rule(WRITE, [apps], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
    rule(WRITE, [autoscaling], ['horizontalpodautoscalers']),
    rule(WRITE, [batch], ['jobs', 'cronjobs']),
    rule(WRITE, [extensions], ['daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies']),
    rule(WRITE, [policy], ['poddisruptionbudgets']),
    rule(WRITE, [networking], ['networkpolicies', 'ingresses']),
    rule(READ_WRITE, [coordination], ['leases']),
  ], { [TO_EDIT]: 'true' }),
  role('system:aggregate-to-view', [
    rule(READ, [core], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
    rule(READ, [core], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
    rule(READ, [core], ['namespaces']),
    rule(READ, [discovery], ['endpointslices']),
    rule(READ, [apps], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
    rule(READ, [autoscaling], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
    rule(READ, [batch], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
    rule(READ, [extensions], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale', 'networkpolicies']),
    rule(READ, [policy], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
    rule(READ, [networking], ['networkpolicies', 'ingresses', 'ingresses/status']),
  ], { [TO_VIEW]: 'true' }),
  role('system:heapster', [rule(READ, [core], ['events', 'pods', 'nodes', 'namespaces']), rule(READ, [extensions], ['deployments'])]),
  role('system:node', [...NODE_RULES]),
  role('system:node-problem-detector', [rule(['get'], [core], ['nodes']), rule(['patch'], [core], ['nodes/status']), eventsRule()]),
  role('system:kubelet-api-admin', [
    rule(['get', 'list', 'watch'], [core], ['nodes']),
    rule(['proxy'], [core], ['nodes']),
    rule(['*'], [core], ['nodes/proxy', 'nodes/metrics', 'nodes/spec', 'nodes/stats', 'nodes/log']),
  ]),
  role('system:node-bootstrapper', [rule(['create', 'get', 'list', 'watch'], [certificates], ['certificatesigningrequests'])]),
  role('system:auth-delegator', [rule(['create'], [authn], ['tokenreviews']), rule(['create'], [authz], ['subjectaccessreviews'])]),
  role('system:kube-aggregator', [rule(READ, [core], ['services', 'endpoints'])]),
  role('system:kube-controller-manager', [
    eventsRule(),
    rule(['create'], [coordination], ['leases']),
    rule(['get', 'update'], [coordination], ['leases'], ['kube-controller-manager']),
    rule(['create'], [core], ['endpoints']),
    rule(['get', 'update'], [core], ['endpoints'], ['kube-controller-manager']),
    rule(['create'], [core], ['secrets', 'serviceaccounts']),
    rule(['delete'], [core], ['secrets']),
    rule(['get'], [core], ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
    rule(['update'], [core], ['secrets', 'serviceaccounts']),
    rule(['create'], [authn], ['tokenreviews']),
    rule(['create'], [authz], ['subjectaccessreviews']),
    rule(['list', 'watch'], ['*'], ['*']),
    rule(['create'], [core], ['serviceaccounts/token']),
  ]),
  role('system:kube-dns', [rule(['list', 'watch'], [core], ['endpoints', 'services'])]),
  role('system:persistent-volume-provisioner', [
    rule(['get', 'list', 'watch', 'create', 'delete'], [core], ['persistentvolumes']),
    rule(['get', 'list', 'watch', 'update'], [core], ['persistentvolumeclaims']),
    rule(READ, [storage], ['storageclasses']),
    rule(['watch'], [core], ['events']),
    eventsRule(),
  ]),
  role('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [rule(['create'], [certificates], ['certificatesigningrequests/nodeclient'])]),
  role('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [rule(['create'], [certificates], ['certificatesigningrequests/selfnodeclient'])]),
  role('system:volume-scheduler', [rule(READ_UPDATE, [core], ['persistentvolumes']), rule(READ, [storage], ['storageclasses']), rule(READ_UPDATE, [core], ['persistentvolumeclaims'])]),
  role('system:certificates.k8s.io:legacy-unknown-approver', [rule(['approve'], [certificates], ['signers'], ['kubernetes.io/legacy-unknown'])]),
  role('system:certificates.k8s.io:kubelet-serving-approver', [rule(['approve'], [certificates], ['signers'], ['kubernetes.io/kubelet-serving'])]),
  role('system:certificates.k8s.io:kube-apiserver-client-approver', [rule(['approve'], [certificates], ['signers'], ['kubernetes.io/kube-apiserver-client'])]),
  role('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', [rule(['approve'], [certificates], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet'])]),
  role('system:service-account-issuer-discovery', [urls(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks'])]),
  role('system:node-proxier', [...NODE_PROXIER_RULES]),
  role('system:kube-scheduler', KUBE_SCHEDULER_RULES),
  // Kubeactor's own, not Kubernetes': the scheduler's explain annotations (scheduler.kubeactor.io/*) are a pod patch.
  role('kubeactor:scheduler-explain', [rule(['patch'], [core], ['pods'])]),
  // CoreDNS's role as kubeadm installs it with the DNS addon.
  role('system:coredns', [rule(['list', 'watch'], [core], ['endpoints', 'services', 'pods', 'namespaces']), rule(['list', 'watch'], [discovery], ['endpointslices'])]),
  // metrics-server's roles as its manifests install them: reading the metrics API is part of view, edit and admin.
  role('system:aggregated-metrics-reader', [rule(['get', 'list', 'watch'], ['metrics.k8s.io'], ['pods', 'nodes'])], { [TO_ADMIN]: 'true', [TO_EDIT]: 'true', [TO_VIEW]: 'true' }),
  role('system:metrics-server', [rule(['get'], [core], ['nodes/metrics']), rule(READ, [core], ['pods', 'nodes'])]),
];

const CLUSTER_ROLE_BINDINGS: ClusterRoleBinding[] = [
  binding('cluster-admin', [group('system:masters')]),
  binding('system:monitoring', [group('system:monitoring')]),
  binding('system:discovery', [group('system:authenticated')]),
  binding('system:basic-user', [group('system:authenticated')]),
  binding('system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
  binding('system:node-proxier', [user('system:kube-proxy')]),
  binding('system:kube-controller-manager', [user('system:kube-controller-manager')]),
  binding('system:kube-dns', [serviceAccount('kube-system', 'kube-dns')]),
  binding('system:kube-scheduler', [user('system:kube-scheduler')]),
  binding('system:volume-scheduler', [user('system:kube-scheduler')]),
  // Kept without subjects since the Node authorizer took over (policy.go does the same).
  binding('system:node', []),
  binding('system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
  binding('system:coredns', [serviceAccount('kube-system', 'coredns')]),
  binding('kubeactor:scheduler-explain', [user('system:kube-scheduler')]),
  binding('system:metrics-server', [serviceAccount('kube-system', 'metrics-server')]),
];

/** controller_policy.go's roles, by the controller's ServiceAccount name. */
const CONTROLLER_RULES: Record<string, PolicyRule[]> = {
  'apiextensions-controller': [rule(['get', 'list', 'watch', 'update'], ['apiextensions.k8s.io'], ['customresourcedefinitions', 'customresourcedefinitions/status']), rule(['list', 'delete'], ['*'], ['*'])],
  'attachdetach-controller': [
    rule(['list', 'watch'], [core], ['persistentvolumes', 'persistentvolumeclaims']),
    rule(['get', 'list', 'watch'], [core], ['nodes']),
    rule(['patch', 'update'], [core], ['nodes/status']),
    rule(['list', 'watch'], [core], ['pods']),
    eventsRule(),
    rule(['get', 'create', 'delete', 'list', 'watch'], [storage], ['volumeattachments']),
    rule(['get', 'watch', 'list'], [storage], ['csidrivers']),
    rule(['get', 'watch', 'list'], [storage], ['csinodes']),
  ],
  'clusterrole-aggregation-controller': [rule(['escalate', 'get', 'list', 'watch', 'update', 'patch'], [rbac], ['clusterroles'])],
  'cronjob-controller': [
    rule(['get', 'list', 'watch', 'update'], [batch], ['cronjobs']),
    rule(['get', 'list', 'watch', 'create', 'update', 'delete', 'patch'], [batch], ['jobs']),
    rule(['update'], [batch], ['cronjobs/status']),
    rule(['update'], [batch], ['cronjobs/finalizers']),
    rule(['list', 'delete'], [core], ['pods']),
    eventsRule(),
  ],
  'daemon-set-controller': [
    rule(['get', 'list', 'watch'], [extensions, apps], ['daemonsets']),
    rule(['update'], [extensions, apps], ['daemonsets/status']),
    rule(['update'], [extensions, apps], ['daemonsets/finalizers']),
    rule(['list', 'watch'], [core], ['nodes']),
    rule(['list', 'watch', 'create', 'delete', 'patch'], [core], ['pods']),
    rule(['create'], [core], ['pods/binding']),
    rule(['get', 'list', 'watch', 'create', 'delete', 'update', 'patch'], [apps], ['controllerrevisions']),
    eventsRule(),
  ],
  'deployment-controller': [
    rule(['get', 'list', 'watch', 'update'], [extensions, apps], ['deployments']),
    rule(['update'], [extensions, apps], ['deployments/status']),
    rule(['update'], [extensions, apps], ['deployments/finalizers']),
    rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], [apps, extensions], ['replicasets']),
    rule(['get', 'list', 'watch', 'update'], [core], ['pods']),
    eventsRule(),
  ],
  'disruption-controller': [
    rule(['get', 'list', 'watch'], [extensions, apps], ['deployments']),
    rule(['get', 'list', 'watch'], [apps, extensions], ['replicasets']),
    rule(['get', 'list', 'watch'], [core], ['replicationcontrollers']),
    rule(['get', 'list', 'watch'], [policy], ['poddisruptionbudgets']),
    rule(['get', 'list', 'watch'], [apps], ['statefulsets']),
    rule(['update'], [policy], ['poddisruptionbudgets/status']),
    rule(['get'], ['*'], ['*/scale']),
    eventsRule(),
  ],
  'endpoint-controller': [
    rule(['get', 'list', 'watch'], [core], ['services', 'pods']),
    rule(['get', 'list', 'create', 'update', 'delete'], [core], ['endpoints']),
    rule(['create'], [core], ['endpoints/restricted']),
    eventsRule(),
  ],
  'endpointslice-controller': [
    rule(['get', 'list', 'watch'], [core], ['services', 'pods', 'nodes']),
    rule(['update'], [core], ['services/finalizers']),
    rule(['get', 'list', 'create', 'update', 'delete'], [discovery], ['endpointslices']),
    eventsRule(),
  ],
  'endpointslicemirroring-controller': [
    rule(['get', 'list', 'watch'], [core], ['services', 'endpoints']),
    rule(['update'], [core], ['services/finalizers']),
    rule(['update'], [core], ['endpoints/finalizers']),
    rule(['get', 'list', 'create', 'update', 'delete'], [discovery], ['endpointslices']),
    eventsRule(),
  ],
  'expand-controller': [
    rule(['get', 'list', 'watch', 'update', 'patch'], [core], ['persistentvolumes']),
    rule(['update', 'patch'], [core], ['persistentvolumeclaims/status']),
    rule(['get', 'list', 'watch'], [core], ['persistentvolumeclaims']),
    rule(['get', 'list', 'watch'], [storage], ['storageclasses']),
    rule(['get'], [core], ['services', 'endpoints']),
    rule(['get'], [core], ['secrets']),
    eventsRule(),
  ],
  'ephemeral-volume-controller': [
    rule(['get', 'list', 'watch'], [core], ['pods']),
    rule(['update'], [core], ['pods/finalizers']),
    rule(['get', 'list', 'watch', 'create'], [core], ['persistentvolumeclaims']),
    eventsRule(),
  ],
  'generic-garbage-collector': [rule(['get', 'list', 'watch', 'patch', 'update', 'delete'], ['*'], ['*']), eventsRule()],
  'horizontal-pod-autoscaler': [
    rule(['get', 'list', 'watch'], [autoscaling], ['horizontalpodautoscalers']),
    rule(['update'], [autoscaling], ['horizontalpodautoscalers/status']),
    rule(['get', 'update'], ['*'], ['*/scale']),
    rule(['list'], [core], ['pods']),
    rule(['get'], [core], ['services/proxy'], ['https:heapster:', 'http:heapster:']),
    rule(['list'], ['metrics.k8s.io'], ['pods']),
    rule(['get', 'list'], ['custom.metrics.k8s.io'], ['*']),
    rule(['get', 'list'], ['external.metrics.k8s.io'], ['*']),
    eventsRule(),
  ],
  'job-controller': [
    rule(['get', 'list', 'watch', 'update', 'patch'], [batch], ['jobs']),
    rule(['update'], [batch], ['jobs/status']),
    rule(['update'], [batch], ['jobs/finalizers']),
    rule(['list', 'watch', 'create', 'delete', 'patch'], [core], ['pods']),
    eventsRule(),
  ],
  'namespace-controller': [
    rule(['get', 'list', 'watch', 'delete'], [core], ['namespaces']),
    rule(['update'], [core], ['namespaces/finalize', 'namespaces/status']),
    rule(['get', 'list', 'delete', 'deletecollection'], ['*'], ['*']),
  ],
  'node-controller': [
    rule(['get', 'list', 'update', 'delete', 'patch'], [core], ['nodes']),
    rule(['patch', 'update'], [core], ['nodes/status']),
    rule(['update'], [core], ['pods/status']),
    rule(['list', 'delete'], [core], ['pods']),
    eventsRule(),
    rule(['get'], [core], ['pods']),
    rule(['patch'], [core], ['pods/status']),
  ],
  'persistent-volume-binder': [
    rule(['get', 'list', 'watch', 'update', 'create', 'delete'], [core], ['persistentvolumes']),
    rule(['update'], [core], ['persistentvolumes/status']),
    rule(['get', 'list', 'watch', 'update'], [core], ['persistentvolumeclaims']),
    rule(['update'], [core], ['persistentvolumeclaims/status']),
    rule(['list', 'watch', 'get', 'create', 'delete'], [core], ['pods']),
    rule(['get', 'list', 'watch'], [storage], ['storageclasses']),
    rule(['get', 'create', 'update', 'delete'], [core], ['endpoints']),
    rule(['get', 'create', 'delete'], [core], ['services']),
    rule(['get'], [core], ['secrets']),
    rule(['get', 'list'], [core], ['nodes']),
    rule(['watch'], [core], ['events']),
    eventsRule(),
  ],
  'pod-garbage-collector': [rule(['list', 'watch', 'delete'], [core], ['pods']), rule(['get', 'list'], [core], ['nodes']), rule(['patch'], [core], ['pods/status'])],
  'replicaset-controller': [
    rule(['get', 'list', 'watch', 'update'], [apps, extensions], ['replicasets']),
    rule(['update'], [apps, extensions], ['replicasets/status']),
    rule(['update'], [apps, extensions], ['replicasets/finalizers']),
    rule(['list', 'watch', 'patch', 'create', 'delete'], [core], ['pods']),
    eventsRule(),
  ],
  'replication-controller': [
    rule(['get', 'list', 'watch', 'update'], [core], ['replicationcontrollers']),
    rule(['update'], [core], ['replicationcontrollers/status']),
    rule(['update'], [core], ['replicationcontrollers/finalizers']),
    rule(['list', 'watch', 'patch', 'create', 'delete'], [core], ['pods']),
    eventsRule(),
  ],
  'resourcequota-controller': [rule(['list', 'watch'], ['*'], ['*']), rule(['update'], [core], ['resourcequotas/status']), eventsRule()],
  'route-controller': [rule(['list', 'watch'], [core], ['nodes']), rule(['patch'], [core], ['nodes/status']), eventsRule()],
  'service-account-controller': [rule(['create'], [core], ['serviceaccounts']), eventsRule()],
  'service-controller': [
    rule(['get', 'list', 'watch'], [core], ['services']),
    rule(['patch', 'update'], [core], ['services/status']),
    rule(['list', 'watch'], [core], ['nodes']),
    eventsRule(),
  ],
  'statefulset-controller': [
    rule(['list', 'watch'], [core], ['pods']),
    rule(['get', 'list', 'watch'], [apps], ['statefulsets']),
    rule(['update'], [apps], ['statefulsets/status']),
    rule(['update'], [apps], ['statefulsets/finalizers']),
    rule(['get', 'create', 'delete', 'update', 'patch'], [core], ['pods']),
    rule(['get', 'create', 'delete', 'update', 'patch', 'list', 'watch'], [apps], ['controllerrevisions']),
    rule(['get', 'create'], [core], ['persistentvolumeclaims']),
    eventsRule(),
    rule(['update'], [core], ['persistentvolumeclaims']),
  ],
  'ttl-controller': [rule(['update', 'patch', 'list', 'watch'], [core], ['nodes']), eventsRule()],
  'certificate-controller': [
    rule(['get', 'list', 'watch', 'delete'], [certificates], ['certificatesigningrequests']),
    rule(['update'], [certificates], ['certificatesigningrequests/status', 'certificatesigningrequests/approval']),
    rule(['approve'], [certificates], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
    rule(['sign'], [certificates], ['signers'], ['kubernetes.io/legacy-unknown', 'kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']),
    rule(['create'], [authz], ['subjectaccessreviews']),
    eventsRule(),
  ],
  'pvc-protection-controller': [rule(['get', 'list', 'watch', 'update'], [core], ['persistentvolumeclaims']), rule(['list', 'watch', 'get'], [core], ['pods']), eventsRule()],
  'pv-protection-controller': [rule(['get', 'list', 'watch', 'update'], [core], ['persistentvolumes']), eventsRule()],
  'ttl-after-finished-controller': [rule(['get', 'list', 'watch', 'delete'], [batch], ['jobs']), eventsRule()],
  'root-ca-cert-publisher': [rule(['create', 'update'], [core], ['configmaps']), eventsRule()],
  // The local-path provisioner's rules (rancher/local-path-provisioner's ClusterRole, with the helper pods it runs).
  'local-path-provisioner': [
    rule(READ, [core], ['nodes', 'persistentvolumeclaims', 'configmaps', 'pods', 'pods/log']),
    rule(['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'], [core], ['persistentvolumes']),
    rule(['create', 'patch'], [core], ['events']),
    rule(READ, [storage], ['storageclasses']),
    rule(['create', 'delete'], [core], ['pods']),
  ],
  // cloud-controller-manager's node controller (k8s.io/cloud-provider's bootstrap role for it).
  'cloud-node-controller': [
    rule(['get', 'list', 'update', 'delete', 'patch'], [core], ['nodes']),
    rule(['patch', 'update'], [core], ['nodes/status']),
    rule(['list', 'update'], [core], ['pods']),
    eventsRule(),
  ],
};

const CONTROLLER_ROLES: ClusterRole[] = Object.entries(CONTROLLER_RULES).map(([sa, rules]) => role(`${CONTROLLER_ROLE_PREFIX}${sa}`, rules));
const CONTROLLER_BINDINGS: ClusterRoleBinding[] = Object.keys(CONTROLLER_RULES).map((sa) => binding(`${CONTROLLER_ROLE_PREFIX}${sa}`, [serviceAccount('kube-system', sa)]));

/** Every bootstrap ClusterRole, the controller roles last (as the apiserver's hook installs them). */
export const BOOTSTRAP_CLUSTER_ROLES: readonly ClusterRole[] = [...CLUSTER_ROLES, ...CONTROLLER_ROLES];
/** Every bootstrap ClusterRoleBinding. */
export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: readonly ClusterRoleBinding[] = [...CLUSTER_ROLE_BINDINGS, ...CONTROLLER_BINDINGS];

const nsRole = (namespace: string, name: string, rules: PolicyRule[]): Role => ({ apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { ...meta(name), namespace }, rules });
const nsBinding = (namespace: string, name: string, roleName: string, subjects: Subject[]): RoleBinding => ({
  apiVersion: `${rbac}/v1`,
  kind: 'RoleBinding',
  metadata: { ...meta(name), namespace },
  roleRef: { apiGroup: rbac, kind: 'Role', name: roleName },
  subjects,
});
const LEADER_LOCKING = [rule(['create', 'get', 'list', 'update', 'watch'], [coordination], ['leases']), rule(['create', 'get', 'list', 'update', 'watch'], [coordination], ['leasecandidates'])];

/**
 * Namespaced roles: upstream's (namespace_policy.go) in kube-system and kube-public; and the
 * cluster DNS actor's, which publishes its own kube-dns Service and EndpointSlice in
 * kube-system (the job of kubeadm's addon manifests elsewhere), so CoreDNS's account may keep
 * that one Service.
 */
export const BOOTSTRAP_ROLES: readonly Role[] = [
  nsRole('kube-system', 'extension-apiserver-authentication-reader', [rule(READ, [core], ['configmaps'], ['extension-apiserver-authentication'])]),
  nsRole('kube-system', 'system::leader-locking-kube-controller-manager', LEADER_LOCKING),
  nsRole('kube-system', 'system::leader-locking-kube-scheduler', LEADER_LOCKING),
  nsRole('kube-system', `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [rule(READ, [core], ['secrets'])]),
  nsRole('kube-system', `${CONTROLLER_ROLE_PREFIX}cloud-provider`, [rule(['create', 'get', 'list', 'watch'], [core], ['configmaps'])]),
  nsRole('kube-system', `${CONTROLLER_ROLE_PREFIX}token-cleaner`, [rule(['delete', 'get', 'list', 'watch'], [core], ['secrets']), eventsRule()]),
  nsRole('kube-public', `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [rule(READ, [core], ['configmaps']), rule(['update'], [core], ['configmaps'], ['cluster-info']), eventsRule()]),
  nsRole('kube-system', 'system:coredns:service-publisher', [
    rule(['get', 'update', 'patch'], [core], ['services'], ['kube-dns']),
    rule(['get', 'update', 'patch'], [discovery], ['endpointslices'], ['kube-dns-kubeactor']),
    rule(['create'], [core], ['services']),
    rule(['create'], [discovery], ['endpointslices']),
  ]),
];

export const BOOTSTRAP_ROLE_BINDINGS: readonly RoleBinding[] = [
  nsBinding('kube-system', 'system::extension-apiserver-authentication-reader', 'extension-apiserver-authentication-reader', [user('system:kube-controller-manager'), user('system:kube-scheduler')]),
  nsBinding('kube-system', 'system::leader-locking-kube-controller-manager', 'system::leader-locking-kube-controller-manager', [
    user('system:kube-controller-manager'), serviceAccount('kube-system', 'kube-controller-manager'), serviceAccount('kube-system', 'leader-election-controller'),
  ]),
  nsBinding('kube-system', 'system::leader-locking-kube-scheduler', 'system::leader-locking-kube-scheduler', [user('system:kube-scheduler'), serviceAccount('kube-system', 'kube-scheduler')]),
  nsBinding('kube-system', `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [serviceAccount('kube-system', 'bootstrap-signer')]),
  nsBinding('kube-system', `${CONTROLLER_ROLE_PREFIX}cloud-provider`, `${CONTROLLER_ROLE_PREFIX}cloud-provider`, [serviceAccount('kube-system', 'cloud-provider')]),
  nsBinding('kube-system', `${CONTROLLER_ROLE_PREFIX}token-cleaner`, `${CONTROLLER_ROLE_PREFIX}token-cleaner`, [serviceAccount('kube-system', 'token-cleaner')]),
  nsBinding('kube-public', `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [serviceAccount('kube-system', 'bootstrap-signer')]),
  nsBinding('kube-system', 'system:coredns:service-publisher', 'system:coredns:service-publisher', [serviceAccount('kube-system', 'coredns')]),
];
