import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod, ResourceQuota, Service } from 'kubernetes-types/core/v1.js';
import { calculateUsage, checkQuotas, trackedResources } from '../../../api/quota/check.ts';
import { podUsage, podConstraints, isBestEffort } from '../../../api/quota/pods.ts';
import { formatList, add, parseList, prettyPrint } from '../../../api/quota/resources.ts';

const pod = (name: string, res?: { requests?: Record<string, string>; limits?: Record<string, string> }, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  metadata: { name, namespace: 'q' },
  spec: { containers: [{ name, image: 'busybox', ...(res ? { resources: res } : {}) }], ...extra },
});
const quota = (name: string, hard: Record<string, string>, used?: Record<string, string>, spec: Partial<NonNullable<ResourceQuota['spec']>> = {}): ResourceQuota => ({
  metadata: { name, namespace: 'q' },
  spec: { hard, ...spec },
  status: used ? { hard, used } : {},
});

test('pod usage: requests and limits under their names and the cpu/memory aliases, count/pods always', () => {
  const u = podUsage(pod('a', { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } }));
  assert.equal(formatList(u), {
    'count/pods': '1', cpu: '250m', 'limits.cpu': '1', 'limits.memory': '128Mi', memory: '64Mi', pods: '1', 'requests.cpu': '250m', 'requests.memory': '64Mi',
  });
  const done: Pod = { ...pod('b', { requests: { cpu: '1' } }), status: { phase: 'Succeeded' } };
  assert.equal(formatList(podUsage(done)), { 'count/pods': '1' }, 'a terminal pod holds no compute and is not in "pods"');
});

test('pod usage: an init container larger than the sum counts, sidecars add up, overhead is added', () => {
  const p: Pod = {
    metadata: { name: 'p' },
    spec: {
      initContainers: [{ name: 'big', image: 'x', resources: { requests: { cpu: '2' } } }, { name: 'side', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } }],
      containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '500m' } } }, { name: 'b', image: 'x', resources: { requests: { cpu: '500m' } } }],
      overhead: { cpu: '10m' },
    },
  };
  assert.is(formatList(podUsage(p))['requests.cpu'], '2010m');
});

test('exceeded quota: the message names requested, used and limited of what is exceeded only', () => {
  const q = quota('q', { 'requests.cpu': '2', pods: '10' }, { 'requests.cpu': '1', pods: '1' });
  const d = checkQuotas('pods', [q], pod('x', { requests: { cpu: '2' } }));
  assert.equal(d, { allowed: false, reason: 'exceeded quota: q, requested: requests.cpu=2, used: requests.cpu=1, limited: requests.cpu=2' });
  const ok = checkQuotas('pods', [q], pod('y', { requests: { cpu: '500m' } }));
  assert.ok(ok.allowed);
  if (ok.allowed) assert.equal(ok.charged[0]?.status?.used, { pods: '2', 'requests.cpu': '1500m' });
});

test('a quota on cpu or memory needs every container to state it', () => {
  const q = quota('compute', { 'limits.cpu': '4', 'requests.memory': '1Gi' }, { 'limits.cpu': '0', 'requests.memory': '0' });
  const d = checkQuotas('pods', [q], pod('x', { requests: { cpu: '1' } }));
  assert.equal(d, { allowed: false, reason: 'failed quota: compute: [must specify limits.cpu for: x, must specify requests.memory for: x]' });
  assert.equal(podConstraints(['requests.cpu', 'pods'], { spec: { containers: [{ name: 'b', image: 'x' }, { name: 'a', image: 'x' }] } }), ['must specify requests.cpu for: a,b']);
});

test('a quota the controller has not counted yet refuses what it tracks; one without status.hard does not match', () => {
  const counted = { ...quota('q', { pods: '2' }), status: { hard: { pods: '2' } } };
  assert.equal(checkQuotas('pods', [counted], pod('x')), { allowed: false, reason: 'status unknown for quota: q, resources: pods' });
  assert.equal(checkQuotas('pods', [quota('fresh', { pods: '0' })], pod('x')), { allowed: true, charged: [] });
});

test('scopes: BestEffort, NotBestEffort, Terminating and PriorityClass select the pods they name', () => {
  const be = quota('be', { pods: '0' }, { pods: '0' }, { scopes: ['BestEffort'] });
  assert.not.ok(checkQuotas('pods', [be], pod('x')).allowed);
  assert.ok(checkQuotas('pods', [be], pod('y', { requests: { cpu: '1' } })).allowed, 'a pod with requests is not BestEffort');
  const term = quota('t', { pods: '0' }, { pods: '0' }, { scopes: ['Terminating'] });
  assert.ok(checkQuotas('pods', [term], pod('x')).allowed);
  assert.not.ok(checkQuotas('pods', [term], pod('x', undefined, { activeDeadlineSeconds: 30 })).allowed);
  const pc = quota('pc', { pods: '0' }, { pods: '0' }, { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } });
  assert.ok(checkQuotas('pods', [pc], pod('x')).allowed);
  assert.not.ok(checkQuotas('pods', [pc], pod('x', undefined, { priorityClassName: 'high' })).allowed);
  assert.ok(isBestEffort(pod('x', { requests: { 'ephemeral-storage': '1Gi' } })));
});

test('object counts: services with their node ports and load balancers, count/<resource>.<group> for any kind', () => {
  const q = quota('objs', { services: '5', 'services.nodeports': '1', 'services.loadbalancers': '0', 'count/deployments.apps': '1', configmaps: '1' }, { services: '0', 'services.nodeports': '0', 'services.loadbalancers': '0', 'count/deployments.apps': '1', configmaps: '0' });
  const np: Service = { metadata: { name: 'np' }, spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 81 }] } };
  assert.equal(checkQuotas('services', [q], np), { allowed: false, reason: 'exceeded quota: objs, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1' });
  const d = checkQuotas('deployments.apps', [q], { metadata: { name: 'd' } });
  assert.equal(d, { allowed: false, reason: 'exceeded quota: objs, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1' });
  assert.ok(checkQuotas('configmaps', [q], { metadata: { name: 'c' } }).allowed);
  assert.ok(checkQuotas('secrets', [q], { metadata: { name: 's' } }).allowed, 'an untracked resource passes');
  assert.equal(trackedResources(['count/deployments.apps', 'requests.cpu', 'services.nodeports', 'requests.storage']), ['deployments.apps', 'persistentvolumeclaims', 'pods', 'services']);
});

test('an update is charged only what it adds, and only where the evaluator charges updates', () => {
  const q = quota('q', { 'services.loadbalancers': '1' }, { 'services.loadbalancers': '1' });
  const lb: Service = { metadata: { name: 'lb', resourceVersion: '5' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } };
  assert.ok(checkQuotas('services', [q], lb, lb).allowed, 'no change, no charge');
  const cip: Service = { metadata: { name: 'lb', resourceVersion: '5' }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } };
  assert.not.ok(checkQuotas('services', [q], lb, cip).allowed, 'ClusterIP → LoadBalancer needs a load balancer');
});

test('calculateUsage: sums the namespace\'s matching objects, zero for what nothing uses, formats as upstream', () => {
  const q = quota('q', { 'requests.memory': '4Gi', pods: '10', 'count/configmaps': '5', 'requests.cpu': '4' });
  const objects = (gr: string) =>
    gr === 'pods'
      ? [pod('a', { requests: { memory: '1Gi' } }), pod('b', { requests: { memory: '512Mi' } }), { ...pod('c', { requests: { memory: '1Gi' } }), status: { phase: 'Failed' } }]
      : [];
  assert.equal(calculateUsage(q, objects), { 'count/configmaps': '0', pods: '2', 'requests.cpu': '0', 'requests.memory': '1536Mi' });
});

test('resource lists: a zero takes the other\'s format; prettyPrint sorts', () => {
  assert.equal(formatList(add(parseList({ memory: '0' }), parseList({ memory: '1Gi' }))), { memory: '1Gi' });
  assert.is(prettyPrint(parseList({ pods: '1', 'limits.cpu': '500m' })), 'limits.cpu=500m,pods=1');
});

test.run();
