/** The built-in kinds, one row each, with Kubernetes' names, short names, categories and subresources. */
import { defaultEndpoints, defaultNamespace, defaultNode, defaultSecret } from '../defaults/core.ts';
import { defaultPod } from '../defaults/pod.ts';
import { defaultService } from '../defaults/service.ts';
import { defaultDaemonSet, defaultDeployment, defaultJob, defaultReplicaSet, defaultStatefulSet } from '../defaults/workloads.ts';
import { validateDaemonSet, validateDeployment, validateReplicaSet, validateStatefulSet } from '../validation/apps.ts';
import { validateConfigMap, validateEndpoints, validateEvent, validateNamespace, validateNode, validateSecret, validateServiceAccount } from '../validation/core.ts';
import { validateJob } from '../validation/job.ts';
import { validateEndpointSlice, validateLease, validatePodDisruptionBudget } from '../validation/misc.ts';
import { validatePod } from '../validation/pod.ts';
import { validateService } from '../validation/service.ts';
import { defaultCronJob, validateCronJob } from './cronjob.ts';
import { ALL_VERBS, kindInfo, type KindInfo } from './info.ts';

const NO_COLLECTION = ALL_VERBS.filter((v) => v !== 'deletecollection');

export const KIND_TABLE: readonly KindInfo[] = [
  kindInfo({ group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false, shortNames: ['ns'], verbs: NO_COLLECTION, subresources: ['status', 'finalize'], validate: validateNamespace, defaults: defaultNamespace }),
  kindInfo({ group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], subresources: ['status', 'binding', 'log', 'eviction'], validate: validatePod, defaults: defaultPod }),
  kindInfo({ group: '', version: 'v1', kind: 'Node', resource: 'nodes', namespaced: false, shortNames: ['no'], subresources: ['status'], validate: validateNode, defaults: defaultNode }),
  kindInfo({ group: '', version: 'v1', kind: 'Service', resource: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'], subresources: ['status'], validate: validateService, defaults: defaultService }),
  kindInfo({ group: '', version: 'v1', kind: 'Endpoints', resource: 'endpoints', namespaced: true, shortNames: ['ep'], validate: validateEndpoints, defaults: defaultEndpoints }),
  kindInfo({ group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, shortNames: ['cm'], validate: validateConfigMap }),
  kindInfo({ group: '', version: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true, validate: validateSecret, defaults: defaultSecret }),
  kindInfo({ group: '', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, shortNames: ['sa'], subresources: ['token'], validate: validateServiceAccount }),
  kindInfo({ group: '', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'], validate: validateEvent }),
  kindInfo({ group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'], validate: validateDeployment, defaults: defaultDeployment }),
  kindInfo({ group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'], validate: validateReplicaSet, defaults: defaultReplicaSet }),
  kindInfo({ group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets', namespaced: true, shortNames: ['ds'], categories: ['all'], subresources: ['status'], validate: validateDaemonSet, defaults: defaultDaemonSet }),
  kindInfo({ group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'], validate: validateStatefulSet, defaults: defaultStatefulSet }),
  kindInfo({ group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', namespaced: true, categories: ['all'], subresources: ['status'], validate: validateJob, defaults: (j) => defaultJob(j) }),
  kindInfo({ group: 'batch', version: 'v1', kind: 'CronJob', resource: 'cronjobs', namespaced: true, shortNames: ['cj'], categories: ['all'], subresources: ['status'], validate: validateCronJob, defaults: defaultCronJob }),
  kindInfo({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', namespaced: true, validate: validateLease }),
  kindInfo({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', resource: 'endpointslices', namespaced: true, validate: validateEndpointSlice }),
  kindInfo({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'], subresources: ['status'], validate: validatePodDisruptionBudget }),
];
