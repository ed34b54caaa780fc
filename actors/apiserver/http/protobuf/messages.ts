/**
 * Field numbers of the Kubernetes protobuf messages kubectl's typed clients send (from
 * k8s.io/api/*\/generated.proto), for the kinds `kubectl create <kind>`, `drain` and
 * `auth whoami|can-i` build.
 *
 * Type codes: s string, i integer, b bool, y bytes (base64 in JSON), T meta/v1 Time,
 * I IntOrString, Q Quantity; `[X` repeated X, `{X` map<string, X>; otherwise a message name.
 * A trailing `?` marks a pointer field in Go: its zero value was set on purpose and is kept;
 * other zero scalars are what Go's encoder always writes and are dropped, as JSON's
 * omitempty drops them. `-` names a stanza that is ignored (a created object's status);
 * `...X` an embedded X whose fields JSON inlines into the enclosing object.
 */
export type Fields = Readonly<Record<number, readonly [name: string, type: string]>>;

const objectWith = (spec: string, status = '-'): Fields => ({ 1: ['metadata', 'ObjectMeta'], 2: ['spec', spec], 3: ['status', status] });

export const MESSAGES: Readonly<Record<string, Fields>> = {
  ObjectMeta: {
    1: ['name', 's'], 2: ['generateName', 's'], 3: ['namespace', 's'], 4: ['selfLink', 's'], 5: ['uid', 's'], 6: ['resourceVersion', 's'],
    7: ['generation', 'i'], 8: ['creationTimestamp', 'T'], 9: ['deletionTimestamp', 'T'], 10: ['deletionGracePeriodSeconds', 'i?'],
    11: ['labels', '{s'], 12: ['annotations', '{s'], 13: ['ownerReferences', '[OwnerReference'], 14: ['finalizers', '[s'], 17: ['managedFields', '-'],
  },
  OwnerReference: { 1: ['kind', 's'], 3: ['name', 's'], 4: ['uid', 's'], 5: ['apiVersion', 's'], 6: ['controller', 'b?'], 7: ['blockOwnerDeletion', 'b?'] },
  LabelSelector: { 1: ['matchLabels', '{s'], 2: ['matchExpressions', '[LabelSelectorRequirement'] },
  LabelSelectorRequirement: { 1: ['key', 's'], 2: ['operator', 's'], 3: ['values', '[s'] },
  DeleteOptions: { 1: ['gracePeriodSeconds', 'i?'], 2: ['preconditions', 'Preconditions'], 3: ['orphanDependents', 'b?'], 4: ['propagationPolicy', 's?'], 5: ['dryRun', '[s'] },
  Preconditions: { 1: ['uid', 's?'], 2: ['resourceVersion', 's?'] },

  Namespace: objectWith('NamespaceSpec'),
  NamespaceSpec: { 1: ['finalizers', '[s'] },
  ConfigMap: { 1: ['metadata', 'ObjectMeta'], 2: ['data', '{s'], 3: ['binaryData', '{y'], 4: ['immutable', 'b?'] },
  Secret: { 1: ['metadata', 'ObjectMeta'], 2: ['data', '{y'], 3: ['type', 's'], 4: ['stringData', '{s'], 5: ['immutable', 'b?'] },
  ServiceAccount: { 1: ['metadata', 'ObjectMeta'], 2: ['secrets', '[ObjectReference'], 3: ['imagePullSecrets', '[LocalObjectReference'], 4: ['automountServiceAccountToken', 'b?'] },
  ObjectReference: { 1: ['kind', 's'], 2: ['namespace', 's'], 3: ['name', 's'], 4: ['uid', 's'], 5: ['apiVersion', 's'], 6: ['resourceVersion', 's'], 7: ['fieldPath', 's'] },
  LocalObjectReference: { 1: ['name', 's'] },
  Service: objectWith('ServiceSpec'),
  ServiceSpec: {
    1: ['ports', '[ServicePort'], 2: ['selector', '{s'], 3: ['clusterIP', 's'], 4: ['type', 's'], 5: ['externalIPs', '[s'], 7: ['sessionAffinity', 's'],
    8: ['loadBalancerIP', 's'], 9: ['loadBalancerSourceRanges', '[s'], 10: ['externalName', 's'], 11: ['externalTrafficPolicy', 's'],
    12: ['healthCheckNodePort', 'i'], 13: ['publishNotReadyAddresses', 'b'], 17: ['ipFamilyPolicy', 's?'], 18: ['clusterIPs', '[s'], 19: ['ipFamilies', '[s'],
  },
  ServicePort: { 1: ['name', 's'], 2: ['protocol', 's'], 3: ['port', 'i'], 4: ['targetPort', 'I'], 5: ['nodePort', 'i'], 6: ['appProtocol', 's?'] },

  Deployment: objectWith('DeploymentSpec'),
  DeploymentSpec: {
    1: ['replicas', 'i?'], 2: ['selector', 'LabelSelector'], 3: ['template', 'PodTemplateSpec'], 4: ['strategy', 'DeploymentStrategy'],
    5: ['minReadySeconds', 'i'], 6: ['revisionHistoryLimit', 'i?'], 7: ['paused', 'b'], 9: ['progressDeadlineSeconds', 'i?'],
  },
  DeploymentStrategy: { 1: ['type', 's'], 2: ['rollingUpdate', 'RollingUpdateDeployment'] },
  RollingUpdateDeployment: { 1: ['maxUnavailable', 'I'], 2: ['maxSurge', 'I'] },
  Job: objectWith('JobSpec'),
  JobSpec: {
    1: ['parallelism', 'i?'], 2: ['completions', 'i?'], 3: ['activeDeadlineSeconds', 'i?'], 4: ['selector', 'LabelSelector'], 5: ['manualSelector', 'b?'],
    6: ['template', 'PodTemplateSpec'], 7: ['backoffLimit', 'i?'], 8: ['ttlSecondsAfterFinished', 'i?'], 9: ['completionMode', 's?'], 10: ['suspend', 'b?'],
  },
  CronJob: objectWith('CronJobSpec'),
  CronJobSpec: {
    1: ['schedule', 's'], 2: ['startingDeadlineSeconds', 'i?'], 3: ['concurrencyPolicy', 's'], 4: ['suspend', 'b?'], 5: ['jobTemplate', 'JobTemplateSpec'],
    6: ['successfulJobsHistoryLimit', 'i?'], 7: ['failedJobsHistoryLimit', 'i?'], 8: ['timeZone', 's?'],
  },
  JobTemplateSpec: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'JobSpec'] },
  ResourceQuota: objectWith('ResourceQuotaSpec'),
  ResourceQuotaSpec: { 1: ['hard', '{Q'], 2: ['scopes', '[s'], 3: ['scopeSelector', 'ScopeSelector'] },
  ScopeSelector: { 1: ['matchExpressions', '[ScopedResourceSelectorRequirement'] },
  ScopedResourceSelectorRequirement: { 1: ['scopeName', 's'], 2: ['operator', 's'], 3: ['values', '[s'] },
  PodDisruptionBudget: objectWith('PodDisruptionBudgetSpec'),
  PodDisruptionBudgetSpec: { 1: ['minAvailable', 'I'], 2: ['selector', 'LabelSelector'], 3: ['maxUnavailable', 'I'], 4: ['unhealthyPodEvictionPolicy', 's?'] },
  Eviction: { 1: ['metadata', 'ObjectMeta'], 2: ['deleteOptions', 'DeleteOptions'] },
  PriorityClass: { 1: ['metadata', 'ObjectMeta'], 2: ['value', 'i?'], 3: ['globalDefault', 'b'], 4: ['description', 's'], 5: ['preemptionPolicy', 's?'] },
  Ingress: objectWith('IngressSpec'),
  IngressSpec: { 1: ['defaultBackend', 'IngressBackend'], 2: ['tls', '[IngressTLS'], 3: ['rules', '[IngressRule'], 4: ['ingressClassName', 's?'] },
  IngressBackend: { 3: ['resource', 'TypedLocalObjectReference'], 4: ['service', 'IngressServiceBackend'] },
  IngressServiceBackend: { 1: ['name', 's'], 2: ['port', 'ServiceBackendPort'] },
  ServiceBackendPort: { 1: ['name', 's'], 2: ['number', 'i'] },
  TypedLocalObjectReference: { 1: ['apiGroup', 's?'], 2: ['kind', 's'], 3: ['name', 's'] },
  IngressTLS: { 1: ['hosts', '[s'], 2: ['secretName', 's'] },
  IngressRule: { 1: ['host', 's'], 2: ['', '...IngressRuleValue'] },
  IngressRuleValue: { 1: ['http', 'HTTPIngressRuleValue'] },
  HTTPIngressRuleValue: { 1: ['paths', '[HTTPIngressPath'] },
  HTTPIngressPath: { 1: ['path', 's'], 2: ['backend', 'IngressBackend'], 3: ['pathType', 's?'] },

  Role: { 1: ['metadata', 'ObjectMeta'], 2: ['rules', '[PolicyRule'] },
  ClusterRole: { 1: ['metadata', 'ObjectMeta'], 2: ['rules', '[PolicyRule'], 3: ['aggregationRule', 'AggregationRule'] },
  AggregationRule: { 1: ['clusterRoleSelectors', '[LabelSelector'] },
  PolicyRule: { 1: ['verbs', '[s'], 2: ['apiGroups', '[s'], 3: ['resources', '[s'], 4: ['resourceNames', '[s'], 5: ['nonResourceURLs', '[s'] },
  RoleBinding: { 1: ['metadata', 'ObjectMeta'], 2: ['subjects', '[Subject'], 3: ['roleRef', 'RoleRef'] },
  ClusterRoleBinding: { 1: ['metadata', 'ObjectMeta'], 2: ['subjects', '[Subject'], 3: ['roleRef', 'RoleRef'] },
  Subject: { 1: ['kind', 's'], 2: ['apiGroup', 's'], 3: ['name', 's'], 4: ['namespace', 's'] },
  RoleRef: { 1: ['apiGroup', 's'], 2: ['kind', 's'], 3: ['name', 's'] },

  CertificateSigningRequest: objectWith('CertificateSigningRequestSpec', 'CertificateSigningRequestStatus'),
  CertificateSigningRequestSpec: {
    1: ['request', 'y'], 2: ['username', 's'], 3: ['uid', 's'], 4: ['groups', '[s'], 5: ['usages', '[s'], 6: ['extra', '-'], 7: ['signerName', 's'], 8: ['expirationSeconds', 'i?'],
  },
  CertificateSigningRequestStatus: { 1: ['conditions', '[CertificateSigningRequestCondition'], 2: ['certificate', 'y'] },
  CertificateSigningRequestCondition: { 1: ['type', 's'], 2: ['reason', 's'], 3: ['message', 's'], 4: ['lastUpdateTime', 'T'], 5: ['lastTransitionTime', 'T'], 6: ['status', 's'] },
  TokenRequest: objectWith('TokenRequestSpec'),
  TokenRequestSpec: { 1: ['audiences', '[s'], 3: ['boundObjectRef', 'BoundObjectReference'], 4: ['expirationSeconds', 'i?'] },
  BoundObjectReference: { 1: ['kind', 's'], 2: ['apiVersion', 's'], 3: ['name', 's'], 4: ['uid', 's'] },
  SelfSubjectReview: { 1: ['metadata', 'ObjectMeta'], 2: ['status', '-'] },
  SelfSubjectAccessReview: objectWith('SelfSubjectAccessReviewSpec'),
  SelfSubjectAccessReviewSpec: { 1: ['resourceAttributes', 'ResourceAttributes'], 2: ['nonResourceAttributes', 'NonResourceAttributes'] },
  ResourceAttributes: { 1: ['namespace', 's'], 2: ['verb', 's'], 3: ['group', 's'], 4: ['version', 's'], 5: ['resource', 's'], 6: ['subresource', 's'], 7: ['name', 's'] },
  NonResourceAttributes: { 1: ['path', 's'], 2: ['verb', 's'] },
  SelfSubjectRulesReview: objectWith('SelfSubjectRulesReviewSpec'),
  SelfSubjectRulesReviewSpec: { 1: ['namespace', 's'] },

  PodTemplateSpec: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'PodSpec'] },
  PodSpec: {
    2: ['containers', '[Container'], 3: ['restartPolicy', 's'], 4: ['terminationGracePeriodSeconds', 'i?'], 5: ['activeDeadlineSeconds', 'i?'],
    6: ['dnsPolicy', 's'], 7: ['nodeSelector', '{s'], 8: ['serviceAccountName', 's'], 9: ['serviceAccount', 's'], 10: ['nodeName', 's'],
    11: ['hostNetwork', 'b'], 12: ['hostPID', 'b'], 13: ['hostIPC', 'b'], 15: ['imagePullSecrets', '[LocalObjectReference'], 16: ['hostname', 's'],
    17: ['subdomain', 's'], 19: ['schedulerName', 's'], 20: ['initContainers', '[Container'], 21: ['automountServiceAccountToken', 'b?'],
    24: ['priorityClassName', 's'], 25: ['priority', 'i?'],
  },
  Container: {
    1: ['name', 's'], 2: ['image', 's'], 3: ['command', '[s'], 4: ['args', '[s'], 5: ['workingDir', 's'], 6: ['ports', '[ContainerPort'],
    7: ['env', '[EnvVar'], 8: ['resources', 'ResourceRequirements'], 9: ['volumeMounts', '[VolumeMount'], 13: ['terminationMessagePath', 's'],
    14: ['imagePullPolicy', 's'], 16: ['stdin', 'b'], 17: ['stdinOnce', 'b'], 18: ['tty', 'b'], 20: ['terminationMessagePolicy', 's'], 24: ['restartPolicy', 's?'],
  },
  ContainerPort: { 1: ['name', 's'], 2: ['hostPort', 'i'], 3: ['containerPort', 'i'], 4: ['protocol', 's'], 5: ['hostIP', 's'] },
  EnvVar: { 1: ['name', 's'], 2: ['value', 's'] },
  ResourceRequirements: { 1: ['limits', '{Q'], 2: ['requests', '{Q'] },
  VolumeMount: { 1: ['name', 's'], 2: ['readOnly', 'b'], 3: ['mountPath', 's'], 4: ['subPath', 's'], 6: ['subPathExpr', 's'] },

  // autoscaling/v1, the version `kubectl autoscale` (1.32) creates HorizontalPodAutoscalers at.
  HorizontalPodAutoscalerV1: objectWith('HorizontalPodAutoscalerSpecV1'),
  HorizontalPodAutoscalerSpecV1: { 1: ['scaleTargetRef', 'CrossVersionObjectReference'], 2: ['minReplicas', 'i?'], 3: ['maxReplicas', 'i'], 4: ['targetCPUUtilizationPercentage', 'i?'] },
  CrossVersionObjectReference: { 1: ['kind', 's'], 2: ['name', 's'], 3: ['apiVersion', 's'] },
};

/**
 * The root message of a body that is not a registered kind (subresource and review bodies),
 * by apiVersion and kind. A registered kind's root is its descriptor's `protobuf`.
 */
export const ROOTS: Readonly<Record<string, string>> = {
  'policy/v1/Eviction': 'Eviction',
  // Served through the v2 kind's conversion, so not the registered kind's own root.
  'autoscaling/v1/HorizontalPodAutoscaler': 'HorizontalPodAutoscalerV1',
  'v1/DeleteOptions': 'DeleteOptions',
  'authentication.k8s.io/v1/TokenRequest': 'TokenRequest',
  'authentication.k8s.io/v1/SelfSubjectReview': 'SelfSubjectReview',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'SelfSubjectRulesReview',
};
