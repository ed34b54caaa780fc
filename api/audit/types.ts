/**
 * audit.k8s.io/v1 as kube-apiserver reads and writes it: the Policy an operator gives with
 * --audit-policy-file, and the Event it logs for each stage of each request
 * (k8s.io/apiserver/pkg/apis/audit/v1/types.go).
 */
import type { KubeObject } from '../../base/object.ts';

/** How much of a request is logged, in increasing order. */
export type Level = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export const LEVELS: readonly Level[] = ['None', 'Metadata', 'Request', 'RequestResponse'];

/** Where in its handling a request was when an event was logged. */
export type Stage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';
export const STAGES: readonly Stage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

/** True when `a` logs less than `b` (Level.Less). */
export const levelLess = (a: Level, b: Level): boolean => LEVELS.indexOf(a) < LEVELS.indexOf(b);

/** Resources of one API group a rule matches ('' is the core group). */
export interface GroupResources {
  group: string;
  /** "pods", "pods/log", "*\/status", "pods/*", "*"; empty: every resource of the group. */
  resources: string[];
  resourceNames: string[];
}

/** One rule: the first rule whose every non-empty selector matches decides the level. */
export interface PolicyRule {
  level: Level;
  users: string[];
  userGroups: string[];
  verbs: string[];
  resources: GroupResources[];
  namespaces: string[];
  nonResourceURLs: string[];
  omitStages: Stage[];
  omitManagedFields?: boolean;
}

export interface Policy {
  rules: PolicyRule[];
  omitStages: Stage[];
  omitManagedFields: boolean;
}

/** What a policy decides for one request (RequestAuditConfig). */
export interface AuditDecision {
  level: Level;
  omitStages: ReadonlySet<Stage>;
  omitManagedFields: boolean;
  /** The matching rule names Secrets itself (a core-group `secrets` resource): only then may they be logged past Metadata. */
  namesSecrets: boolean;
}

/** authentication/v1 UserInfo, as an event writes it: username, uid, groups, extra. */
export interface AuditUser {
  username: string;
  uid?: string;
  groups: readonly string[];
  extra?: Record<string, string[]>;
}

/** A request as the policy sees it (authorizer.Attributes). */
export interface AuditAttributes {
  user: AuditUser;
  /** A Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection) or a lower-case HTTP method for non-resource paths. */
  verb: string;
  /** Set for resource requests; absent for non-resource paths (/api, /version, /healthz). */
  resource?: { group: string; version: string; resource: string; subresource?: string; namespace?: string; name?: string };
  /** The URL path without the query. */
  path: string;
}

export interface ObjectReference {
  resource?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
  uid?: string | undefined;
  apiGroup?: string | undefined;
  apiVersion?: string | undefined;
  resourceVersion?: string | undefined;
  subresource?: string | undefined;
}

export interface ResponseStatus {
  metadata: Record<string, never>;
  status?: string;
  message?: string;
  reason?: string;
  details?: unknown;
  code: number;
}

/** One audit.k8s.io/v1 Event: one line of the log. */
export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: Level;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  user: AuditUser;
  impersonatedUser?: AuditUser | undefined;
  sourceIPs: string[];
  userAgent?: string | undefined;
  objectRef?: ObjectReference | undefined;
  responseStatus?: ResponseStatus | undefined;
  requestObject?: KubeObject | unknown | undefined;
  responseObject?: KubeObject | unknown | undefined;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string> | undefined;
}
