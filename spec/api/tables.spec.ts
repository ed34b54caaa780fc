import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { humanDuration, since } from '../../api/tables/duration.ts';
import { podStatusCells } from '../../api/tables/pods.ts';
import { printerFor, tableFor } from '../../api/tables/index.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const cells = (group: string, resource: string, obj: object) => printerFor(group, resource).cells(obj as never, NOW);
const names = (group: string, resource: string) => printerFor(group, resource).columns.map((c) => `${c.name}${c.priority ? '*' : ''}`);

test('humanDuration follows Kubernetes', () => {
  const cases: [number, string][] = [[0, '0s'], [119, '119s'], [120, '2m'], [185, '3m5s'], [600, '10m'], [3 * 3600, '3h'], [3 * 3600 + 60 * 7, '3h7m'], [9 * 3600, '9h'], [50 * 3600, '2d2h'], [10 * 86400, '10d'], [800 * 86400, '2y70d'], [9 * 365 * 86400, '9y']];
  for (const [s, want] of cases) assert.is(humanDuration(s * 1000), want, `${s}s`);
  assert.is(humanDuration(-5000), '<invalid>');
  assert.is(since(undefined, NOW), '<unknown>');
});

const pod = (status: object, extra: object = {}) => ({ metadata: { name: 'p', creationTimestamp: ago(30), ...extra }, spec: { containers: [{ name: 'a' }, { name: 'b' }] }, status });

test('pod STATUS as kubectl computes it', () => {
  assert.is(podStatusCells(pod({ phase: 'Pending' }), NOW).reason, 'Pending');
  const creating = pod({ phase: 'Pending', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] });
  assert.is(podStatusCells(creating, NOW).reason, 'ContainerCreating');
  const running = pod({ phase: 'Running', containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: {} } }, { name: 'b', ready: true, restartCount: 0, state: { running: {} } }] });
  assert.equal(podStatusCells(running, NOW), { ready: '2/2', reason: 'Running', restarts: '0' });
  const crash = pod({ phase: 'Running', containerStatuses: [{ name: 'a', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastTerminationState: { terminated: { exitCode: 1, finishedAt: ago(65) } } }] });
  assert.equal(podStatusCells(crash, NOW), { ready: '0/2', reason: 'CrashLoopBackOff', restarts: '3 (65s ago)' });
  const done = pod({ phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
  assert.is(podStatusCells(done, NOW).reason, 'Completed');
  const exit = pod({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 2 } } }] });
  assert.is(podStatusCells(exit, NOW).reason, 'ExitCode:2');
  assert.is(podStatusCells(pod({ phase: 'Running' }, { deletionTimestamp: ago(1) }), NOW).reason, 'Terminating');
  const init = { ...pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { waiting: { reason: 'PodInitializing' } } }] }), spec: { initContainers: [{ name: 'i' }], containers: [{ name: 'a' }] } };
  assert.is(podStatusCells(init, NOW).reason, 'Init:0/1');
});

test('pod columns, wide ones at priority 1', () => {
  assert.equal(names('', 'pods'), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP*', 'Node*', 'Nominated Node*', 'Readiness Gates*']);
  const row = cells('', 'pods', { ...pod({ phase: 'Running', podIPs: [{ ip: '10.0.0.5' }] }), spec: { nodeName: 'n1', containers: [{ name: 'a' }] } });
  assert.equal(row, ['p', '0/1', 'Running', '0', '30s', '10.0.0.5', 'n1', '<none>', '<none>']);
});

test('workloads: deployments, replicasets, statefulsets, daemonsets, jobs', () => {
  const template = { spec: { containers: [{ name: 'web', image: 'nginx' }, { name: 'side', image: 'envoy' }] } };
  const deploy = { metadata: { name: 'd', creationTimestamp: ago(300) }, spec: { replicas: 3, selector: { matchLabels: { app: 'd' } }, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
  assert.equal(names('apps', 'deployments'), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
  assert.equal(cells('apps', 'deployments', deploy), ['d', '2/3', 3, 2, '5m', 'web,side', 'nginx,envoy', 'app=d']);
  assert.equal(cells('apps', 'replicasets', deploy).slice(0, 4), ['d', 3, 0, 2]);
  assert.equal(cells('apps', 'statefulsets', deploy).slice(0, 2), ['d', '2/3']);
  assert.equal(cells('apps', 'daemonsets', { metadata: { name: 'ds' }, spec: { template: { spec: { nodeSelector: { os: 'linux' } } } }, status: { desiredNumberScheduled: 2 } }).slice(0, 7), ['ds', 2, 0, 0, 0, 0, 'os=linux']);
  const job = { metadata: { name: 'j', creationTimestamp: ago(90) }, spec: { completions: 1, template }, status: { succeeded: 1, startTime: ago(90), completionTime: ago(80), conditions: [{ type: 'Complete', status: 'True' }] } };
  assert.equal(cells('batch', 'jobs', job).slice(0, 5), ['j', 'Complete', '1/1', '10s', '90s']);
});

test('core kinds: nodes, services, endpoints, configmaps, secrets, events', () => {
  const node = { metadata: { name: 'n', labels: { 'node-role.kubernetes.io/control-plane': '' } }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.1.1.1' }], nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Sim', kernelVersion: '6.1', containerRuntimeVersion: 'sim://1' } } };
  assert.equal(cells('', 'nodes', node), ['n', 'Ready,SchedulingDisabled', 'control-plane', '<unknown>', 'v1.32.4', '10.1.1.1', '<none>', 'Sim', '6.1', 'sim://1']);
  const svc = { metadata: { name: 's' }, spec: { type: 'NodePort', clusterIP: '10.96.0.9', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 's' } } };
  assert.equal(cells('', 'services', svc), ['s', 'NodePort', '10.96.0.9', '<none>', '80:30080/TCP,53/UDP', '<unknown>', 'app=s']);
  assert.is(cells('', 'services', { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer' } })[3], '<pending>');
  const ep = { metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '1.1.1.1' }, { ip: '1.1.1.2' }, { ip: '1.1.1.3' }, { ip: '1.1.1.4' }], ports: [{ port: 80 }] }] };
  assert.is(cells('', 'endpoints', ep)[1], '1.1.1.1:80,1.1.1.2:80,1.1.1.3:80 + 1 more...');
  assert.is(cells('', 'configmaps', { metadata: { name: 'c' }, data: { a: '1' }, binaryData: { b: '' } })[1], 2);
  assert.equal(cells('', 'secrets', { metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { a: '', b: '' } }).slice(0, 3), ['s', 'kubernetes.io/tls', 2]);
  const ev = { metadata: { name: 'e1' }, type: 'Warning', reason: 'FailedScheduling', involvedObject: { kind: 'Pod', name: 'p' }, message: ' no nodes ', firstTimestamp: ago(120), lastTimestamp: ago(60), count: 2, source: { component: 'default-scheduler' } };
  assert.equal(cells('', 'events', ev), ['60s', 'Warning', 'FailedScheduling', 'pod/p', '', 'default-scheduler', 'no nodes', '2m', 2, 'e1']);
  assert.equal(cells('coordination.k8s.io', 'leases', { metadata: { name: 'l' }, spec: { holderIdentity: 'n1' } }).slice(0, 2), ['l', 'n1']);
});

test('tableFor: PartialObjectMetadata rows by default, full objects or none on request; unknown kinds get NAME, AGE', () => {
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns', labels: { a: 'b' } } };
  const t = tableFor({ group: '', resource: 'configmaps' }, [obj], { now: NOW, listMeta: { resourceVersion: '7' } });
  assert.is(t.kind, 'Table');
  assert.is(t.apiVersion, 'meta.k8s.io/v1');
  assert.equal(t.metadata, { resourceVersion: '7' });
  assert.equal(t.rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata });
  assert.equal(tableFor({ group: '', resource: 'configmaps' }, [obj], { now: NOW, includeObject: 'Object' }).rows[0]!.object, obj);
  assert.is(tableFor({ group: '', resource: 'configmaps' }, [obj], { now: NOW, includeObject: 'None' }).rows[0]!.object, undefined);
  assert.equal(tableFor({ group: 'x.io', resource: 'widgets' }, [obj], { now: NOW }).columnDefinitions.map((c) => c.name), ['Name', 'Age']);
});

test.run();
