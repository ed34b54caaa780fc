/**
 * PriorityClass and the Priority admission plugin with the real kubectl: the system classes
 * exist from the start and cannot be deleted, `kubectl create priorityclass` works (its
 * protobuf body), printing has upstream's columns, validation and the one-default rule give
 * upstream's errors, and a pod gets its class's priority and preemptionPolicy (or the global
 * default's), while a missing class or a stated priority that differs is refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { must, startCluster, type Cluster } from './cluster.ts';

let c: Cluster;
test.before(async () => {
  c = await startCluster();
});
test.after(async () => c.stop());

const pod = (name: string, spec: Record<string, unknown> = {}) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});
const podSpec = async (name: string) => JSON.parse(must(await c.kubectl(['get', 'pod', name, '-o', 'json']), `get pod ${name}`)).spec;

test('the system classes are there and printed with upstream columns; they cannot be deleted', async () => {
  const lines = must(await c.kubectl(['get', 'pc']), 'get pc').trim().split('\n');
  assert.match(lines[0]!, /^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY$/);
  assert.match(lines[1]!, /^system-cluster-critical\s+2000000000\s+false\s+\S+\s+PreemptLowerPriority$/);
  assert.match(lines[2]!, /^system-node-critical\s+2000001000\s+false\s+\S+\s+PreemptLowerPriority$/);
  const del = await c.kubectl(['delete', 'priorityclass', 'system-node-critical']);
  assert.is.not(del.code, 0);
  assert.match(del.stderr, 'Error from server (Forbidden): priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted');
});

test('kubectl create priorityclass, with validation and the one-default rule', async () => {
  must(await c.kubectl(['create', 'priorityclass', 'high', '--value=1000', '--description=important', '--global-default=false']), 'create high');
  must(await c.kubectl(['create', 'priorityclass', 'low', '--value=10', '--global-default=true', '--preemption-policy=Never']), 'create low');
  const row = must(await c.kubectl(['get', 'priorityclass', 'low', '--no-headers']), 'get low');
  assert.match(row, /^low\s+10\s+true\s+\S+\s+Never\n$/);
  const second = await c.kubectl(['create', 'priorityclass', 'other', '--value=5', '--global-default=true']);
  assert.match(second.stderr, 'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass low is already marked as default. Only one default can exist');
  const tooHigh = await c.kubectl(['create', 'priorityclass', 'huge', '--value=1000000001']);
  assert.match(tooHigh.stderr, 'error: failed to create priorityclass: PriorityClass.scheduling.k8s.io "huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000');
  const system = await c.kubectl(['create', 'priorityclass', 'system-mine', '--value=1']);
  assert.match(system.stderr, "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class");
  const changed = await c.kubectl(['patch', 'pc', 'high', '--type=merge', '-p', '{"value":7}']);
  assert.match(changed.stderr, 'value: Forbidden: may not be changed in an update.');
  const none = await c.kubectl(['get', 'pc', 'other', 'huge', 'system-mine', '--ignore-not-found', '-o', 'name']);
  assert.is(none.stdout, '');
});

test('Priority admission: the class resolves to priority and preemptionPolicy; the default applies', async () => {
  must(await c.kubectl(['create', '-f', '-'], pod('important', { priorityClassName: 'high' })), 'create important');
  const s = await podSpec('important');
  assert.is(s.priority, 1000);
  assert.is(s.preemptionPolicy, 'PreemptLowerPriority');
  must(await c.kubectl(['create', '-f', '-'], pod('plain')), 'create plain');
  const d = await podSpec('plain');
  assert.equal([d.priorityClassName, d.priority, d.preemptionPolicy], ['low', 10, 'Never']);
  const missing = await c.kubectl(['create', '-f', '-'], pod('lost', { priorityClassName: 'nope' }));
  assert.match(missing.stderr, 'Error from server (Forbidden): error when creating "STDIN": pods "lost" is forbidden: no PriorityClass with name nope was found');
  const stated = await c.kubectl(['create', '-f', '-'], pod('liar', { priorityClassName: 'high', priority: 5 }));
  assert.match(stated.stderr, 'pods "liar" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name');
  const policy = await c.kubectl(['create', '-f', '-'], pod('policy', { priorityClassName: 'high', preemptionPolicy: 'Never' }));
  assert.match(policy.stderr, 'the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name');
  const gone = await c.kubectl(['get', 'pods', 'lost', 'liar', 'policy', '--ignore-not-found', '-o', 'name']);
  assert.is(gone.stdout, '');
});

test.run();
