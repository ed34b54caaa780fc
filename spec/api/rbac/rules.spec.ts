/** RBAC's rule matching and subject matching (api/rbac/rules.ts), case by case as Kubernetes' rbac.go decides. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import { appliesTo, ruleAllows } from '../../../api/rbac/rules.ts';
import { aggregatedRules } from '../../../api/rbac/aggregation.ts';

const pods = { verb: 'get', group: '', resource: 'pods', namespace: 'ns', name: 'web' };

test('verbs, groups and resources match exactly or by *', () => {
  assert.ok(ruleAllows(pods, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  assert.ok(ruleAllows(pods, { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }));
  assert.not.ok(ruleAllows(pods, { verbs: ['list'], apiGroups: [''], resources: ['pods'] }));
  assert.not.ok(ruleAllows(pods, { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }));
  assert.not.ok(ruleAllows(pods, { verbs: ['get'], apiGroups: [''], resources: ['pod'] }));
  assert.not.ok(ruleAllows(pods, { verbs: ['get'], resources: ['pods'] }), 'no apiGroups matches no group');
});

test('a subresource needs resource/subresource, * or */subresource; the resource alone does not grant it', () => {
  const log = { ...pods, subresource: 'log' };
  assert.not.ok(ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  assert.ok(ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }));
  assert.ok(ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['*/log'] }));
  assert.not.ok(ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['*/status'] }));
  assert.not.ok(ruleAllows(pods, { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }));
  const scale = { verb: 'get', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'ns', name: 'd' };
  assert.ok(ruleAllows(scale, { verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] }));
});

test('resourceNames narrow to named objects: a list (no name) is not allowed by them', () => {
  const named = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['web'] };
  assert.ok(ruleAllows(pods, named));
  assert.not.ok(ruleAllows({ ...pods, name: 'db' }, named));
  assert.not.ok(ruleAllows({ verb: 'list', group: '', resource: 'pods', namespace: 'ns' }, named));
});

test('non-resource URLs: exact, a trailing * prefix, or *; never by resource rules', () => {
  const rule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
  assert.ok(ruleAllows({ verb: 'get', path: '/healthz' }, rule));
  assert.not.ok(ruleAllows({ verb: 'get', path: '/healthz/etcd' }, rule));
  assert.ok(ruleAllows({ verb: 'get', path: '/apis/apps/v1' }, rule));
  assert.not.ok(ruleAllows({ verb: 'get', path: '/apis' }, rule));
  assert.not.ok(ruleAllows({ verb: 'post', path: '/healthz' }, rule));
  assert.ok(ruleAllows({ verb: 'get', path: '/anything' }, { verbs: ['*'], nonResourceURLs: ['*'] }));
  assert.not.ok(ruleAllows({ verb: 'get', path: '/healthz' }, { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }));
});

test('subjects: users by name, groups by membership, ServiceAccounts by their username (a RoleBinding\'s own namespace by default)', () => {
  const alice = { username: 'alice', groups: ['devs', 'system:authenticated'] };
  const bot = { username: 'system:serviceaccount:team:bot', groups: ['system:serviceaccounts'] };
  assert.ok(appliesTo(alice, { kind: 'User', name: 'alice' }, ''));
  assert.not.ok(appliesTo(alice, { kind: 'User', name: 'devs' }, ''));
  assert.ok(appliesTo(alice, { kind: 'Group', name: 'devs' }, ''));
  assert.ok(appliesTo(bot, { kind: 'ServiceAccount', name: 'bot', namespace: 'team' }, ''));
  assert.ok(appliesTo(bot, { kind: 'ServiceAccount', name: 'bot' }, 'team'));
  assert.not.ok(appliesTo(bot, { kind: 'ServiceAccount', name: 'bot' }, 'other'));
  assert.not.ok(appliesTo(bot, { kind: 'ServiceAccount', name: 'bot' }, ''), 'a ClusterRoleBinding must name the namespace');
});

test('aggregation: the union of the selected roles\' rules, each once, by role name', () => {
  const role = (name: string, labels: Record<string, string>, verbs: string[]): ClusterRole => ({ metadata: { name, labels }, rules: [{ verbs, apiGroups: [''], resources: ['pods'] }] });
  const agg: ClusterRole = { metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { to: 'agg' } }] } };
  const all = [agg, role('b', { to: 'agg' }, ['list']), role('a', { to: 'agg' }, ['get']), role('c', {}, ['delete']), role('d', { to: 'agg' }, ['get'])];
  assert.equal(aggregatedRules(agg, all), [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['list'], apiGroups: [''], resources: ['pods'] }]);
  assert.is(aggregatedRules(role('x', {}, []), all), null);
});

test.run();
