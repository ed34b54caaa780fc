/**
 * The descriptors' spec helper: a minimal valid object of every built-in kind, by its
 * registry key (GroupResource). Adding a kind adds its fixture here; the completeness spec
 * fails for a registered kind without one.
 */
import type { GroupResource, KubeObject } from '../../../api/kinds.ts';

const container = { name: 'app', image: 'nginx:1.27' };
const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [container] } });
const jobTemplate = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [container], restartPolicy: 'Never' } });

/** A PEM PKCS#10 request (CN=bob, O=dev, O=ops; ECDSA P-256), base64 as spec.request carries it. */
export const CSR_REQUEST =
  'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIbE1JR01BZ0VBTUNveEREQUtCZ05WQkFNTUEySnZZakVNTUFvR0ExVUVDZ3dEWkdWMk1Rd3dDZ1lEVlFRSwpEQU52Y0hNd1dUQVRCZ2NxaGtqT1BRSUJCZ2dxaGtqT1BRTUJCd05DQUFSRkZOOTByL2VIUEppUVorZEs2QkNpCmxPaXVONzZRc0pMbHgwRkdoM3pMNmVGR3NkY1VVT2p2aGh1TUNVMUVXMWhGOCtoOUlFVllYODJJR2xCZ2dYRWkKb0FBd0NnWUlLb1pJemowRUF3SURTQUF3UlFJZ0xCdmJUaEtLZ3M3K1A1KzFUY2VoTjVCNGpoTTlyY0lTQThYcAo5bTcrTVBJQ0lRRHMxSnBqY0V0b2lpb0xqM1B5NU8xTFNDekhOcFVsNm5QanJOUG8za1BUakE9PQotLS0tLUVORCBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K';

/** The name a fixture of `gr` may take, from a base name: a CRD's must be its plural.group. */
export const fixtureName = (gr: GroupResource, base: string): string => (gr === 'customresourcedefinitions.apiextensions.k8s.io' ? `${base}.example.com` : base);

/** A minimal valid object named `name` (namespace left to the target; see fixtureName). */
export const KIND_FIXTURES: Readonly<Record<GroupResource, (name: string) => KubeObject>> = {
  namespaces: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  pods: (name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [container] } }),
  nodes: (name) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } }),
  services: (name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }] } }),
  endpoints: (name) => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }),
  configmaps: (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } }),
  secrets: (name) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { a: '1' } }),
  serviceaccounts: (name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } }),
  events: (name) => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
    reason: 'Tested',
    message: 'a round trip',
    type: 'Normal',
    source: { component: 'spec' },
  }),
  resourcequotas: (name) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard: { pods: '10', 'requests.cpu': '2' } } }),
  limitranges: (name) => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name }, spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, max: { cpu: '2' } }] } }),
  persistentvolumes: (name) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` } } }),
  persistentvolumeclaims: (name) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }),
  'ingresses.networking.k8s.io': (name) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name }, spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } } }),
  'ingressclasses.networking.k8s.io': (name) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name }, spec: { controller: 'example.com/spec' } }),
  'certificatesigningrequests.certificates.k8s.io': (name) => ({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: CSR_REQUEST, signerName: 'example.com/spec', usages: ['client auth'] },
  }),
  'storageclasses.storage.k8s.io': (name) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'example.com/spec' }),
  'deployments.apps': (name) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: template(name) } }),
  'replicasets.apps': (name) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: template(name) } }),
  'daemonsets.apps': (name) => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name }, spec: { selector: { matchLabels: { app: name } }, template: template(name) } }),
  'statefulsets.apps': (name) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name }, spec: { replicas: 1, serviceName: name, selector: { matchLabels: { app: name } }, template: template(name) } }),
  'jobs.batch': (name) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec: { template: jobTemplate(name) } }),
  'cronjobs.batch': (name) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: jobTemplate(name) } } } }),
  'roles.rbac.authorization.k8s.io': (name) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
  'clusterroles.rbac.authorization.k8s.io': (name) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }),
  'rolebindings.rbac.authorization.k8s.io': (name) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }] }),
  'clusterrolebindings.rbac.authorization.k8s.io': (name) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', apiGroup: '', name: 'bot', namespace: 'default' }] }),
  'priorityclasses.scheduling.k8s.io': (name) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value: 100, preemptionPolicy: 'PreemptLowerPriority' }),
  replicationcontrollers: (name) => ({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name, labels: { app: name } }, spec: { replicas: 1, selector: { app: name }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } } }),
  'controllerrevisions.apps': (name) => ({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name }, data: { spec: { template: { $patch: 'replace' } } }, revision: 1 }),
  podtemplates: (name) => ({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { name }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } }),
  'networkpolicies.networking.k8s.io': (name) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name }, spec: { podSelector: { matchLabels: { app: name } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 80 }] }] } }),
  'csidrivers.storage.k8s.io': (name) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name }, spec: { attachRequired: true, podInfoOnMount: false, storageCapacity: false, fsGroupPolicy: 'ReadWriteOnceWithFSType', volumeLifecycleModes: ['Persistent'], requiresRepublish: false } }),
  'csinodes.storage.k8s.io': (name) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name }, spec: { drivers: [{ name: 'csi.example.com', nodeID: name }] } }),
  'nodes.metrics.k8s.io': (name) => ({ apiVersion: 'metrics.k8s.io/v1beta1', kind: 'NodeMetrics', metadata: { name }, timestamp: '2026-01-01T00:00:00Z', window: '15s', usage: { cpu: '250m', memory: '64Mi' } }),
  'pods.metrics.k8s.io': (name) => ({ apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics', metadata: { name }, timestamp: '2026-01-01T00:00:00Z', window: '15s', containers: [{ name: 'app', usage: { cpu: '250m', memory: '64Mi' } }] }),
  'runtimeclasses.node.k8s.io': (name) => ({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name }, handler: 'process' }),
  'leases.coordination.k8s.io': (name) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: 'spec' } }),
  'endpointslices.discovery.k8s.io': (name) => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }] }),
  'horizontalpodautoscalers.autoscaling': (name) => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, maxReplicas: 3 } }),
  'poddisruptionbudgets.policy': (name) => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { minAvailable: 1, selector: { matchLabels: { app: name } } } }),
  'flowschemas.flowcontrol.apiserver.k8s.io': (name) => ({
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name },
    spec: {
      priorityLevelConfiguration: { name: 'workload-low' },
      matchingPrecedence: 5000,
      distinguisherMethod: { type: 'ByUser' },
      rules: [{ subjects: [{ kind: 'User', user: { name: 'alice' } }], resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], namespaces: ['*'] }] }],
    },
  }),
  'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io': (name) => ({
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'PriorityLevelConfiguration',
    metadata: { name },
    spec: { type: 'Limited', limited: { nominalConcurrencyShares: 10, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 16, handSize: 4, queueLengthLimit: 50 } } } },
  }),
  'customresourcedefinitions.apiextensions.k8s.io': (name) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group: name.slice(name.indexOf('.') + 1),
      scope: 'Namespaced',
      names: { plural: name.slice(0, name.indexOf('.')), singular: 'fixture', kind: 'Fixture', listKind: 'FixtureList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } } }],
      conversion: { strategy: 'None' },
    },
  }),
  'mutatingwebhookconfigurations.admissionregistration.k8s.io': (name) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name }, webhooks: [{ name: 'm.example.com', clientConfig: { url: 'https://127.0.0.1:9443/mutate' }, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }], sideEffects: 'None', admissionReviewVersions: ['v1'] }] }),
  'validatingwebhookconfigurations.admissionregistration.k8s.io': (name) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name }, webhooks: [{ name: 'v.example.com', clientConfig: { service: { name: 'hook', namespace: 'default' } }, rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*'], scope: 'Namespaced' }], sideEffects: 'None', admissionReviewVersions: ['v1'] }] }),
  'validatingadmissionpolicies.admissionregistration.k8s.io': (name) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name }, spec: { matchConstraints: { resourceRules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }] }, validations: [{ expression: 'object.spec.replicas <= 5', message: 'at most 5 replicas' }] } }),
  'validatingadmissionpolicybindings.admissionregistration.k8s.io': (name) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec: { policyName: 'replicas', validationActions: ['Deny'] } }),
};
