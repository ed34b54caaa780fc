/**
 * The audit Policy as kube-apiserver reads and applies it: decoding and validation with
 * Kubernetes' messages, and the first-match rule checker over users, groups, verbs,
 * resources (subresources, resourceNames), namespaces and non-resource URLs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePolicy } from '../../../api/audit/policy.ts';
import { PolicyChecker } from '../../../api/audit/checker.ts';
import type { AuditAttributes } from '../../../api/audit/types.ts';

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  users: [system:kube-proxy]
  verbs: [watch]
- level: None
  nonResourceURLs: [/healthz*, /version]
- level: RequestResponse
  resources:
  - group: ""
    resources: [pods/log, "*/status"]
- level: Request
  userGroups: [system:nodes]
  resources:
  - group: ""
    resources: [configmaps]
    resourceNames: [special]
- level: Metadata
  namespaces: [kube-system]
  omitStages: [ResponseComplete]
- level: Request
  resources:
  - group: ""
    resources: [secrets]
  omitManagedFields: true
- level: Metadata
  resources:
  - group: apps
    resources: ["deployments/*"]
- level: Metadata
  nonResourceURLs: ["*"]
`;

const admin = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
const node = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const res = (resource: string, extra: Partial<NonNullable<AuditAttributes['resource']>> = {}, verb = 'get', user = admin): AuditAttributes =>
  ({ user, verb, resource: { group: '', version: 'v1', resource, ...extra }, path: '/api/v1/x' });
const checker = new PolicyChecker(parsePolicy(POLICY));
const level = (a: AuditAttributes) => checker.decide(a).level;

test('rules match in order: users with verbs, non-resource URL prefixes, resources with subresources and wildcards', () => {
  assert.is(level({ ...res('services', {}, 'watch'), user: { username: 'system:kube-proxy', groups: [] } }), 'None');
  assert.is(level({ ...res('services', {}, 'list'), user: { username: 'system:kube-proxy', groups: [] } }), 'None', 'the last rule matches no resource request');
  assert.is(level({ user: admin, verb: 'get', path: '/healthz/ping' }), 'None');
  assert.is(level({ user: admin, verb: 'get', path: '/version' }), 'None');
  assert.is(level({ user: admin, verb: 'get', path: '/apis' }), 'Metadata');
  assert.is(level(res('pods', { subresource: 'log', namespace: 'default', name: 'p' })), 'RequestResponse');
  assert.is(level(res('nodes', { subresource: 'status', name: 'n1' }, 'patch')), 'RequestResponse', '*/status');
  assert.is(level(res('pods', { namespace: 'default' })), 'None', 'pods themselves match no rule');
  assert.is(level(res('deployments', { subresource: 'scale' }) as AuditAttributes), 'None', 'the core group is not apps');
  assert.is(level({ ...res('deployments', { subresource: 'scale' }), resource: { group: 'apps', version: 'v1', resource: 'deployments', subresource: 'scale' } }), 'Metadata', 'deployments/*');
  assert.is(level({ ...res('deployments'), resource: { group: 'apps', version: 'v1', resource: 'deployments' } }), 'Metadata', 'deployments/* takes the resource itself too (checker.go)');
});

test('userGroups, resourceNames and namespaces narrow a rule; cluster-scoped requests have the namespace ""', () => {
  assert.is(level(res('configmaps', { namespace: 'a', name: 'special' }, 'get', node)), 'Request');
  assert.is(level(res('configmaps', { namespace: 'a', name: 'other' }, 'get', node)), 'None');
  assert.is(level(res('configmaps', { namespace: 'a', name: 'special' })), 'None', 'not in system:nodes');
  assert.is(level(res('configmaps', { namespace: 'kube-system' })), 'Metadata');
  assert.is(level(res('nodes', { name: 'kube-system' })), 'None');
});

test('omitted stages are the policy\'s and the rule\'s; omitManagedFields by rule; a rule naming secrets says so', () => {
  const ks = checker.decide(res('configmaps', { namespace: 'kube-system' }));
  assert.equal([...ks.omitStages].sort(), ['RequestReceived', 'ResponseComplete']);
  assert.is(ks.namesSecrets, false);
  const secrets = checker.decide(res('secrets', { namespace: 'default' }));
  assert.equal([...secrets.omitStages], ['RequestReceived']);
  assert.is(secrets.omitManagedFields, true);
  assert.is(secrets.namesSecrets, true);
});

const fails = (text: string, message: string) => assert.throws(() => parsePolicy(text), (e: Error) => e.message === message, message);

test('a malformed policy is refused with kube-apiserver\'s words, every problem at once', () => {
  fails('apiVersion: audit.k8s.io/v1\nkind: Policy\n', 'loaded illegal policy with 0 rules');
  fails('apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]\n', 'unknown group version field audit.k8s.io/v1beta1, Kind=Policy in policy');
  fails('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Everything}]\n',
    'rules[0].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"');
  fails(
    'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  omitStages: [Started]\n- {}\n- level: None\n  nonResourceURLs: [healthz]\n  namespaces: [a]\n',
    '[rules[0].omitStages[0]: Invalid value: "Started": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic, rules[1].level: Required value, rules[2].nonResourceURLs[0]: Invalid value: "healthz": non-resource URL rules must begin with a \'/\' character, rules[2].nonResourceURLs: Invalid value: []string{"healthz"}: rules cannot apply to both regular resources and non-resource URLs]',
  );
  fails('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  resources: [{group: apps/v1, resources: [deployments]}]\n',
    'rules[0].resources.group: Invalid value: "apps/v1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')');
  assert.throws(() => parsePolicy('rules: [\n'), /^failed decoding: /);
});

test.run();
