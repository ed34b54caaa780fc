/**
 * The flowcontrol.apiserver.k8s.io/v1 objects every apiserver creates and keeps at start, as
 * upstream's apiserver/pkg/apis/flowcontrol/bootstrap/default.go has them: the mandatory
 * exempt and catch-all levels and schemas (restored when changed: their specs are fixed), and
 * the suggested ones (system, node-high, leader-election, workload-high, workload-low,
 * global-default and their FlowSchemas), created when missing and re-applied while their
 * `apf.kubernetes.io/autoupdate-spec` annotation says "true".
 */
import type { FlowSchema, PolicyRulesWithSubjects, PriorityLevelConfiguration, ResourcePolicyRule, Subject } from 'kubernetes-types/flowcontrol/v1.js';

export const FLOWCONTROL_GROUP = 'flowcontrol.apiserver.k8s.io';
export const FLOWCONTROL_API_VERSION = `${FLOWCONTROL_GROUP}/v1`;
/** flowcontrol.AutoUpdateAnnotationKey: "true" lets the apiserver re-apply its suggested spec. */
export const AUTO_UPDATE_ANNOTATION = 'apf.kubernetes.io/autoupdate-spec';
export const EXEMPT = 'exempt';
export const CATCH_ALL = 'catch-all';

const ALL_RESOURCES: ResourcePolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true };
const ALL_NON_RESOURCES = [{ verbs: ['*'], nonResourceURLs: ['*'] }];

const groups = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'Group', group: { name } }));
const users = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'User', user: { name } }));
const kubeSystemAccounts = (...names: string[]): Subject[] =>
  names.map((name) => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } }));
const everything = (subjects: Subject[]): PolicyRulesWithSubjects => ({ subjects, resourceRules: [ALL_RESOURCES], nonResourceRules: ALL_NON_RESOURCES });
const rule = (verbs: string[], apiGroups: string[], resources: string[], clusterScope = false): ResourcePolicyRule =>
  ({ verbs, apiGroups, resources, namespaces: ['*'], ...(clusterScope ? { clusterScope } : {}) });

function level(name: string, spec: PriorityLevelConfiguration['spec']): PriorityLevelConfiguration {
  return { apiVersion: FLOWCONTROL_API_VERSION, kind: 'PriorityLevelConfiguration', metadata: { name, annotations: { [AUTO_UPDATE_ANNOTATION]: 'true' } }, spec };
}

function limited(name: string, shares: number, lendablePercent: number, queuing?: { queues: number; handSize: number; queueLengthLimit: number }): PriorityLevelConfiguration {
  const limitResponse = queuing ? { type: 'Queue', queuing } : { type: 'Reject' };
  return level(name, { type: 'Limited', limited: { nominalConcurrencyShares: shares, lendablePercent, limitResponse } });
}

function schema(name: string, pl: string, precedence: number, distinguisher: 'ByUser' | 'ByNamespace' | '', ...rules: PolicyRulesWithSubjects[]): FlowSchema {
  return {
    apiVersion: FLOWCONTROL_API_VERSION,
    kind: 'FlowSchema',
    metadata: { name, annotations: { [AUTO_UPDATE_ANNOTATION]: 'true' } },
    spec: {
      priorityLevelConfiguration: { name: pl },
      matchingPrecedence: precedence,
      ...(distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}),
      rules,
    },
  };
}

export const MANDATORY_PRIORITY_LEVELS: readonly PriorityLevelConfiguration[] = [
  limited(CATCH_ALL, 5, 0),
  level(EXEMPT, { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } }),
];

export const MANDATORY_FLOW_SCHEMAS: readonly FlowSchema[] = [
  schema(EXEMPT, EXEMPT, 1, '', everything(groups('system:masters'))),
  schema(CATCH_ALL, CATCH_ALL, 10000, 'ByUser', everything(groups('system:unauthenticated', 'system:authenticated'))),
];

const QUEUING_64 = { queues: 64, handSize: 6, queueLengthLimit: 50 };
const QUEUING_128 = { queues: 128, handSize: 6, queueLengthLimit: 50 };

export const SUGGESTED_PRIORITY_LEVELS: readonly PriorityLevelConfiguration[] = [
  limited('system', 30, 33, QUEUING_64),
  limited('node-high', 40, 25, QUEUING_64),
  limited('leader-election', 10, 0, { queues: 16, handSize: 4, queueLengthLimit: 50 }),
  limited('workload-high', 40, 50, QUEUING_128),
  limited('workload-low', 100, 90, QUEUING_128),
  limited('global-default', 20, 50, QUEUING_128),
];

const CONTROLLER_MANAGER = 'system:kube-controller-manager';
const SCHEDULER = 'system:kube-scheduler';
const GET_CREATE_UPDATE = ['get', 'create', 'update'];

export const SUGGESTED_FLOW_SCHEMAS: readonly FlowSchema[] = [
  schema('system-nodes', 'system', 500, 'ByUser', everything(groups('system:nodes'))),
  schema('system-node-high', 'node-high', 400, 'ByUser', {
    subjects: groups('system:nodes'),
    resourceRules: [rule(['*'], [''], ['nodes', 'nodes/status'], true), rule(['*'], ['coordination.k8s.io'], ['leases'])],
  }),
  schema('probes', EXEMPT, 2, '', {
    subjects: groups('system:unauthenticated', 'system:authenticated'),
    nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }],
  }),
  schema('system-leader-election', 'leader-election', 100, 'ByUser', {
    subjects: [...users(CONTROLLER_MANAGER, SCHEDULER), ...kubeSystemAccounts('*')],
    resourceRules: [rule(GET_CREATE_UPDATE, ['coordination.k8s.io'], ['leases'])],
  }),
  schema('workload-leader-election', 'leader-election', 200, 'ByUser', {
    subjects: kubeSystemAccounts('*'),
    resourceRules: [rule(GET_CREATE_UPDATE, [''], ['endpoints', 'configmaps']), rule(GET_CREATE_UPDATE, ['coordination.k8s.io'], ['leases'])],
  }),
  schema('endpoint-controller', 'workload-high', 150, 'ByUser', {
    subjects: [...users(CONTROLLER_MANAGER), ...kubeSystemAccounts('endpoint-controller', 'endpointslicemirroring-controller')],
    resourceRules: [rule(GET_CREATE_UPDATE, [''], ['endpoints'])],
  }),
  schema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', everything(users(CONTROLLER_MANAGER))),
  schema('kube-scheduler', 'workload-high', 800, 'ByNamespace', everything(users(SCHEDULER))),
  schema('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', everything(kubeSystemAccounts('*'))),
  schema('service-accounts', 'workload-low', 9000, 'ByUser', everything(groups('system:serviceaccounts'))),
  schema('global-default', 'global-default', 9900, 'ByUser', everything(groups('system:unauthenticated', 'system:authenticated'))),
];

/** Every default PriorityLevelConfiguration, mandatory first. */
export const DEFAULT_PRIORITY_LEVELS: readonly PriorityLevelConfiguration[] = [...MANDATORY_PRIORITY_LEVELS, ...SUGGESTED_PRIORITY_LEVELS];
/** Every default FlowSchema, mandatory first. */
export const DEFAULT_FLOW_SCHEMAS: readonly FlowSchema[] = [...MANDATORY_FLOW_SCHEMAS, ...SUGGESTED_FLOW_SCHEMAS];

/** The mandatory object named `name` of a kind, if it is one. */
export const mandatoryLevel = (name: string | undefined): PriorityLevelConfiguration | undefined => MANDATORY_PRIORITY_LEVELS.find((p) => p.metadata?.name === name);
export const mandatorySchema = (name: string | undefined): FlowSchema | undefined => MANDATORY_FLOW_SCHEMAS.find((f) => f.metadata?.name === name);
