import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AdmissionAttributes } from '../../../api/admission/attributes.ts';
import { isExemptConfiguration } from '../../../api/admission/attributes.ts';
import { namespaceLabelsFor, resourceMatches, resourcesMatch, ruleMatches, rulesMatch, selectorsMatch } from '../../../api/admission/matching.ts';

const pod = (over: Partial<AdmissionAttributes> = {}): AdmissionAttributes => ({
  operation: 'CREATE',
  group: '',
  version: 'v1',
  resource: 'pods',
  subresource: '',
  kind: 'Pod',
  namespaced: true,
  namespace: 'team-a',
  name: 'web',
  object: { metadata: { name: 'web', labels: { app: 'web' } } },
  user: { username: 'alice', groups: [] },
  dryRun: false,
  ...over,
});

const rule = (resources: string[], extra: Record<string, unknown> = {}) => ({ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources, ...extra });

test('resource patterns: main resource, subresources, wildcards', () => {
  assert.ok(resourceMatches(['pods'], 'pods', ''));
  assert.not.ok(resourceMatches(['pods'], 'pods', 'status'));
  assert.ok(resourceMatches(['pods/status'], 'pods', 'status'));
  assert.ok(resourceMatches(['*'], 'pods', ''));
  assert.not.ok(resourceMatches(['*'], 'pods', 'status'), '"*" is every resource, no subresource');
  assert.ok(resourceMatches(['pods/*'], 'pods', 'status'));
  assert.not.ok(resourceMatches(['pods/*'], 'pods', ''));
  assert.ok(resourceMatches(['*/status'], 'deployments', 'status'));
  assert.not.ok(resourceMatches(['*/status'], 'deployments', 'scale'));
  assert.ok(resourceMatches(['*/*'], 'pods', ''));
  assert.ok(resourceMatches(['*/*'], 'pods', 'eviction'));
  assert.not.ok(resourceMatches(['services'], 'pods', ''));
});

test('a rule matches by operation, group, version and scope', () => {
  assert.ok(ruleMatches(rule(['pods']), pod(), true));
  assert.not.ok(ruleMatches(rule(['pods']), pod({ operation: 'UPDATE' }), true));
  assert.ok(ruleMatches(rule(['pods'], { operations: ['*'] }), pod({ operation: 'DELETE' }), true));
  assert.not.ok(ruleMatches(rule(['pods'], { apiGroups: ['apps'] }), pod(), true));
  assert.ok(ruleMatches(rule(['pods'], { scope: 'Namespaced' }), pod(), true));
  assert.not.ok(ruleMatches(rule(['pods'], { scope: 'Cluster' }), pod(), true));
  assert.ok(ruleMatches(rule(['nodes'], { scope: 'Cluster' }), pod({ resource: 'nodes', namespaced: false, namespace: '' }), true));
});

test('matchPolicy: Equivalent matches the same group and resource at another version, Exact does not', () => {
  const other = [rule(['pods'], { apiVersions: ['v1beta1'] })];
  assert.ok(rulesMatch(other, pod(), 'Equivalent'));
  assert.ok(rulesMatch(other, pod(), undefined));
  assert.not.ok(rulesMatch(other, pod(), 'Exact'));
});

test('namespaceSelector: the namespace labels, the Namespace itself, nothing for cluster-scoped kinds', () => {
  const labels = (ns: string) => (ns === 'team-a' ? { env: 'prod' } : undefined);
  assert.equal(namespaceLabelsFor(pod(), labels), { env: 'prod' });
  assert.equal(namespaceLabelsFor(pod({ namespace: 'gone' }), labels), {});
  const ns = pod({ resource: 'namespaces', kind: 'Namespace', namespaced: false, namespace: '', object: { metadata: { name: 'x', labels: { own: 'yes' } } } });
  assert.equal(namespaceLabelsFor(ns, labels), { own: 'yes' });
  assert.is(namespaceLabelsFor(pod({ resource: 'nodes', namespaced: false, namespace: '' }), labels), null);

  const prodOnly = { namespaceSelector: { matchLabels: { env: 'prod' } } };
  assert.ok(selectorsMatch(prodOnly, pod(), { env: 'prod' }));
  assert.not.ok(selectorsMatch(prodOnly, pod(), { env: 'dev' }));
  assert.ok(selectorsMatch(prodOnly, pod(), null), 'cluster-scoped: the namespace selector does not apply');
});

test('objectSelector: the new or the old object may match', () => {
  const web = { objectSelector: { matchLabels: { app: 'web' } } };
  assert.ok(selectorsMatch(web, pod(), {}));
  assert.not.ok(selectorsMatch(web, pod({ object: { metadata: { labels: { app: 'db' } } } }), {}));
  assert.ok(selectorsMatch(web, pod({ object: { metadata: { labels: { app: 'db' } } }, oldObject: { metadata: { labels: { app: 'web' } } } }), {}));
  assert.ok(selectorsMatch(web, pod({ operation: 'DELETE', object: undefined, oldObject: { metadata: { labels: { app: 'web' } } } }), {}));
  const exists = { objectSelector: { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] } };
  assert.ok(selectorsMatch(exists, pod(), {}));
});

test('a policy: matchConstraints rules, then excludeResourceRules', () => {
  const m = { resourceRules: [rule(['*'], { operations: ['CREATE', 'UPDATE'] })], excludeResourceRules: [rule(['pods'], { operations: ['*'], resourceNames: ['web'] })] };
  assert.not.ok(resourcesMatch(m, pod(), {}));
  assert.ok(resourcesMatch(m, pod({ name: 'db' }), {}));
  assert.not.ok(resourcesMatch(m, pod({ operation: 'DELETE', name: 'db' }), {}));
});

test('webhooks and policies never see their own configuration kinds', () => {
  for (const resource of ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings']) {
    assert.ok(isExemptConfiguration({ group: 'admissionregistration.k8s.io', resource }));
  }
  assert.not.ok(isExemptConfiguration({ group: '', resource: 'pods' }));
});

test.run();
