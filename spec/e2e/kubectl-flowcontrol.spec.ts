/**
 * API Priority and Fairness with the real kubectl: the default FlowSchemas and
 * PriorityLevelConfigurations are served and printed as kube-apiserver prints them, the
 * mandatory ones keep their fixed specs, and a bad FlowSchema gets upstream's causes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:https';
import { startCluster, type Cluster, type Run } from './cluster.ts';

let c: Cluster;
test.before(async () => {
  c = await startCluster({ controllers: '' });
});
test.after(async () => c.stop());

const must = (r: Run, what: string): string => {
  assert.is(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
};

test('kubectl get flowschemas prints the defaults in matching order with upstream columns', async () => {
  const out = must(await c.kubectl(['get', 'flowschemas']), 'get flowschemas');
  const lines = out.trim().split('\n');
  assert.match(lines[0]!, /^NAME\s+PRIORITYLEVEL\s+MATCHINGPRECEDENCE\s+DISTINGUISHERMETHOD\s+AGE\s+MISSINGPL$/);
  const rows = lines.slice(1).map((l) => l.split(/\s+/));
  assert.equal(rows.map((r) => r[0]), [
    'exempt', 'probes', 'system-leader-election', 'endpoint-controller', 'workload-leader-election', 'system-node-high',
    'system-nodes', 'kube-controller-manager', 'kube-scheduler', 'kube-system-service-accounts', 'service-accounts', 'global-default', 'catch-all',
  ]);
  assert.equal(rows[0]!.slice(1, 4), ['exempt', '1', '<none>']);
  assert.equal(rows[5]!.slice(1, 4), ['node-high', '400', 'ByUser']);
  assert.equal(rows[7]!.slice(1, 4), ['workload-high', '800', 'ByNamespace']);
  for (const r of rows) assert.is(r[5], 'False', `${r[0]} references an existing level`);
});

test('kubectl get prioritylevelconfigurations prints the defaults with upstream columns', async () => {
  const out = must(await c.kubectl(['get', 'prioritylevelconfigurations']), 'get prioritylevelconfigurations');
  const lines = out.trim().split('\n');
  assert.match(lines[0]!, /^NAME\s+TYPE\s+NOMINALCONCURRENCYSHARES\s+QUEUES\s+HANDSIZE\s+QUEUELENGTHLIMIT\s+AGE$/);
  const byName = new Map(lines.slice(1).map((l) => { const r = l.split(/\s+/); return [r[0], r.slice(1, 6)]; }));
  assert.equal(byName.get('exempt'), ['Exempt', '<none>', '<none>', '<none>', '<none>']);
  assert.equal(byName.get('catch-all'), ['Limited', '5', '<none>', '<none>', '<none>']);
  assert.equal(byName.get('node-high'), ['Limited', '40', '64', '6', '50']);
  assert.equal(byName.get('leader-election'), ['Limited', '10', '16', '4', '50']);
  assert.equal(byName.get('workload-low'), ['Limited', '100', '128', '6', '50']);
  assert.is(byName.size, 8);
});

test('the mandatory objects keep their fixed spec; a bad FlowSchema gets upstream\'s causes', async () => {
  const r = await c.kubectl(['patch', 'prioritylevelconfiguration', 'catch-all', '--type=merge', '-p', '{"spec":{"limited":{"nominalConcurrencyShares":50}}}']);
  assert.is.not(r.code, 0);
  assert.match(r.stderr, "spec of 'catch-all' must equal the fixed value");
  const bad = JSON.stringify({
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'bad' },
    spec: { matchingPrecedence: 1, priorityLevelConfiguration: { name: '' }, rules: [{ subjects: [], resourceRules: [{ verbs: ['*', 'get'], apiGroups: ['*'], resources: ['pods'] }] }] },
  });
  const created = await c.kubectl(['create', '-f', '-'], bad);
  assert.is.not(created.code, 0);
  assert.match(created.stderr, 'spec.matchingPrecedence: Invalid value: 1: only the schema named \'exempt\' may have matchingPrecedence 1');
  assert.match(created.stderr, 'spec.priorityLevelConfiguration.name: Required value: must reference a priority level');
  assert.match(created.stderr, 'spec.rules[0].subjects: Required value: subjects must contain at least one value');
  assert.match(created.stderr, "spec.rules[0].resourceRules[0].verbs: Invalid value: []string{\"*\", \"get\"}: if '*' is present, must not specify other verbs");
  assert.match(created.stderr, 'spec.rules[0].resourceRules[0].namespaces: Required value: resource rules that are not cluster scoped must supply at least one namespace');
});

test('kubectl -v=8 shows the FlowSchema and priority level UIDs that served the request', async () => {
  const r = await c.kubectl(['get', 'configmaps', '-n', 'default', '-v=8']);
  assert.is(r.code, 0, r.stderr);
  const fs = /X-Kubernetes-Pf-Flowschema-Uid: (\S+)/.exec(r.stderr)?.[1];
  const pl = /X-Kubernetes-Pf-Prioritylevel-Uid: (\S+)/.exec(r.stderr)?.[1];
  // The admin kubectl uses is in system:masters: the exempt schema and level.
  assert.is(fs, must(await c.kubectl(['get', 'flowschema', 'exempt', '-o', 'jsonpath={.metadata.uid}']), 'uid'));
  assert.is(pl, must(await c.kubectl(['get', 'prioritylevelconfiguration', 'exempt', '-o', 'jsonpath={.metadata.uid}']), 'uid'));
});

test('the debug endpoints dump the levels and queues; /metrics has apiserver_flowcontrol_*', async () => {
  const levels = must(await c.kubectl(['get', '--raw', '/debug/api_priority_and_fairness/dump_priority_levels']), 'dump_priority_levels');
  const lines = levels.trim().split('\n');
  assert.match(lines[0]!, /^PriorityLevelName,\s+ActiveQueues,\s+IsIdle,\s+IsQuiescing,\s+WaitingRequests,\s+ExecutingRequests,\s+DispatchedRequests,\s+RejectedRequests,\s+TimedoutRequests,\s+CancelledRequests$/);
  assert.equal(lines.slice(1).map((l) => l.split(',')[0]), ['catch-all', 'exempt', 'global-default', 'leader-election', 'node-high', 'system', 'workload-high', 'workload-low']);
  assert.match(levels, /\nexempt,\s+<none>,\s+<none>,/);
  assert.match(levels, /\nworkload-low,\s+0,\s+(true|false),\s+false,\s+0,/);
  const queues = must(await c.kubectl(['get', '--raw', '/debug/api_priority_and_fairness/dump_queues']), 'dump_queues');
  assert.match(queues, /^PriorityLevelName,\s+Index,\s+PendingRequests,\s+ExecutingRequests,\s+SeatsInUse,\s+NextDispatchR,\s+InitialSeatsSum,\s+MaxSeatsSum,\s+TotalWorkSum\n/);
  assert.is(queues.split('\n').filter((l) => l.startsWith('leader-election,')).length, 16);
  const metrics = must(await c.kubectl(['get', '--raw', '/metrics']), 'metrics');
  assert.match(metrics, /\napiserver_flowcontrol_dispatched_requests_total\{flow_schema="exempt",priority_level="exempt"\} [1-9]\d*\n/);
  assert.match(metrics, /\napiserver_flowcontrol_nominal_limit_seats\{priority_level="node-high"\} 98\n/);
  assert.match(metrics, /# TYPE apiserver_flowcontrol_current_inqueue_requests gauge\n/);
  assert.match(metrics, /# TYPE apiserver_flowcontrol_request_execution_seconds histogram\n/);
});

/** A GET over HTTPS as the admin, impersonating `user`. */
function getAs(user: string, path: string): Promise<{ code: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    request(new URL(path, c.rest.url), { ca: c.rest.ca, headers: { Authorization: `Bearer ${c.rest.token}`, 'Impersonate-User': user } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject).end();
  });
}

test('REST: a full queue is answered 429 TooManyRequests with a Retry-After header', async () => {
  must(await c.kubectl(['create', 'clusterrole', 'cm-reader', '--verb=get', '--resource=configmaps']), 'role');
  must(await c.kubectl(['create', 'clusterrolebinding', 'carl-reads', '--clusterrole=cm-reader', '--user=carl']), 'binding');
  const level = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'one-seat' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 0, limitResponse: { type: 'Queue', queuing: { queues: 1, handSize: 1, queueLengthLimit: 1 } } } } };
  const schema = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'carl' }, spec: { priorityLevelConfiguration: { name: 'one-seat' }, matchingPrecedence: 300, rules: [{ subjects: [{ kind: 'User', user: { name: 'carl' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'] }] }] } };
  must(await c.kubectl(['create', '-f', '-'], JSON.stringify(level)), 'create level');
  must(await c.kubectl(['create', '-f', '-'], JSON.stringify(schema)), 'create schema');
  // Zero shares: a "jail" with no seats, so every request of carl's queues and the second is refused at once.
  const path = '/api/v1/namespaces/default/configmaps/missing';
  const first = getAs('carl', path);
  await new Promise((r) => setTimeout(r, 200));
  const second = await getAs('carl', path);
  assert.is(second.code, 429, second.body);
  assert.is(second.headers['retry-after'], '1');
  const st = JSON.parse(second.body) as { kind: string; reason: string; message: string };
  assert.equal([st.kind, st.reason, st.message], ['Status', 'TooManyRequests', 'Too many requests, please try again later.']);
  assert.ok(second.headers['x-kubernetes-pf-flowschema-uid'], 'the 429 names the schema');
  // Given seats, the level dispatches the request that waited in its queue.
  must(await c.kubectl(['patch', 'prioritylevelconfiguration', 'one-seat', '--type=merge', '-p', '{"spec":{"limited":{"nominalConcurrencyShares":1}}}']), 'patch');
  const waited = await first;
  assert.is(waited.code, 404, waited.body);
});

test.run();
