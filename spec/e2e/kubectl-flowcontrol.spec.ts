/**
 * API Priority and Fairness with the real kubectl: the default FlowSchemas and
 * PriorityLevelConfigurations are served and printed as kube-apiserver prints them, the
 * mandatory ones keep their fixed specs, and a bad FlowSchema gets upstream's causes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
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

test.run();
