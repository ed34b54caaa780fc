/**
 * Issue 17, end to end: ResourceQuota and LimitRange as a user sees them through the real
 * kubectl, against a real `kubeactor up` child process (memory storage, one sim node, every
 * controller). A quota stops the pod that would exceed it, and a Deployment's ReplicaSet
 * reports FailedCreate with the quota's message; status.used follows creates and deletes
 * (`kubectl describe quota`); an object-count quota stops the extra ConfigMap; a LimitRange's
 * defaults appear in the created pod and its min/max refuse. Real clock, every wait bounded.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliProcess } from '../helpers/cli.ts';
import { eventually } from '../helpers/wait.ts';
import { kubectlAt, type Kubectl } from '../helpers/kubectl.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-quota-'));
let up: CliProcess;

let k: Kubectl;
const kubectl = (args: string[], input?: string) => k.run(args, input);
const ok = async (args: string[], input?: string): Promise<string> => {
  const r = await k.run(args, input);
  assert.is(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.err}${r.out}`);
  return r.out.trim();
};
const POLL = { intervalMs: 250, timeoutMs: 20_000 };

const podYaml = (ns: string, name: string, resources: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}}
spec:
  containers:
  - name: app
    image: busybox
    command: [sleep, "3600"]
${resources}`;
const cpuRequest = (cpu: string) => `    resources: {requests: {cpu: ${cpu}}}\n`;

/** status.used of a quota, as JSON. */
const usedOf = async (ns: string, name: string) => (await kubectl(['get', 'quota', name, '-n', ns, '-o', 'jsonpath={.status.used}'])).out;

test.before(async () => {
  up = runCli(['up', '--storage', 'memory', '--port', '0', '--data-dir', dir, '--nodes', '1', '--default-runtime', 'sim']);
  await up.waitFor('ready.', 30_000);
  const kubeconfig = /kubeconfig: (\S+)/.exec(up.output())?.[1];
  assert.ok(kubeconfig, `no kubeconfig line in:\n${up.output()}`);
  k = kubectlAt(kubeconfig, dir);
  await eventually(async () => (await kubectl(['get', 'nodes', '--no-headers'])).out, { what: 'a Ready node', accept: (s) => /\sReady\s/.test(s), ...POLL });
});

test.after(async () => {
  if (up) await up.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a ResourceQuota stops the pod that would exceed it; a Deployment\'s ReplicaSet reports FailedCreate; used follows deletes', async () => {
  await ok(['create', 'namespace', 'q']);
  assert.is(await ok(['create', 'quota', 'compute', '-n', 'q', '--hard=requests.cpu=1,pods=3']), 'resourcequota/compute created');
  await eventually(() => usedOf('q', 'compute'), { what: 'the controller counts the quota', accept: (u) => u === '{"pods":"0","requests.cpu":"0"}', ...POLL });
  const table = await ok(['get', 'quota', '-n', 'q']);
  assert.match(table, /^NAME\s+AGE\s+REQUEST\s+LIMIT\n/, table);
  assert.match(table, /^compute\s+\S+\s+pods: 0\/3, requests\.cpu: 0\/1\s*$/m, table);

  await ok(['apply', '-f', '-'], podYaml('q', 'p1', cpuRequest('600m')));
  const over = await kubectl(['apply', '-f', '-'], podYaml('q', 'p2', cpuRequest('600m')));
  assert.is(over.code, 1);
  assert.is(over.err.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "p2" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1');
  const bare = await kubectl(['run', 'bare', '-n', 'q', '--image=busybox']);
  assert.is(bare.err.trim(), 'Error from server (Forbidden): pods "bare" is forbidden: failed quota: compute: must specify requests.cpu for: bare');

  await ok(['create', 'deployment', 'web', '-n', 'q', '--image=busybox', '--replicas=2']);
  await ok(['set', 'resources', 'deployment/web', '-n', 'q', '--requests=cpu=300m']);
  const failed = await eventually(
    async () => (await kubectl(['get', 'events', '-n', 'q', '--field-selector', 'reason=FailedCreate', '-o', 'jsonpath={.items[*].message}'])).out,
    { what: 'a FailedCreate event', ...POLL },
  );
  assert.match(failed, /Error creating: pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: compute, requested: requests\.cpu=300m, used: requests\.cpu=900m, limited: requests\.cpu=1/, failed);

  await ok(['delete', 'deployment', 'web', '-n', 'q']);
  await ok(['delete', 'pod', 'p1', '-n', 'q', '--wait=false']);
  await eventually(() => usedOf('q', 'compute'), { what: 'used back to zero after the deletes', accept: (u) => u === '{"pods":"0","requests.cpu":"0"}', ...POLL, timeoutMs: 40_000 });
  const described = await ok(['describe', 'quota', 'compute', '-n', 'q']);
  assert.match(described, /^Resource\s+Used\s+Hard\n-+\s+-+\s+-+\npods\s+0\s+3\nrequests\.cpu\s+0\s+1$/m, described);
});

test('an object-count quota stops the ConfigMap past its count', async () => {
  await ok(['create', 'namespace', 'counts']);
  await ok(['create', 'quota', 'objects', '-n', 'counts', '--hard=count/configmaps=2,services=0']);
  // The namespace's kube-root-ca.crt is one of the two.
  await eventually(() => usedOf('counts', 'objects'), { what: 'kube-root-ca.crt counted', accept: (u) => u === '{"count/configmaps":"1","services":"0"}', ...POLL });
  await ok(['create', 'configmap', 'a', '-n', 'counts']);
  const b = await kubectl(['create', 'configmap', 'b', '-n', 'counts']);
  assert.is(b.err.trim(), 'error: failed to create configmap: configmaps "b" is forbidden: exceeded quota: objects, requested: count/configmaps=1, used: count/configmaps=2, limited: count/configmaps=2');
  const svc = await kubectl(['create', 'service', 'clusterip', 'web', '-n', 'counts', '--tcp=80:80']);
  assert.match(svc.err, /services "web" is forbidden: exceeded quota: objects, requested: services=1, used: services=0, limited: services=0/, svc.err);
  await ok(['delete', 'configmap', 'a', '-n', 'counts']);
  await eventually(() => usedOf('counts', 'objects'), { what: 'the deleted ConfigMap released', accept: (u) => u.includes('"count/configmaps":"1"'), ...POLL });
  await ok(['create', 'configmap', 'b', '-n', 'counts']);
});

test('a LimitRange\'s defaults appear in the created pod; min and max refuse', async () => {
  await ok(['create', 'namespace', 'lim']);
  await ok(['apply', '-f', '-'], `apiVersion: v1
kind: LimitRange
metadata: {name: cpu, namespace: lim}
spec:
  limits:
  - type: Container
    default: {cpu: 500m}
    defaultRequest: {cpu: 200m}
    min: {cpu: 100m}
    max: {cpu: "1"}
`);
  assert.match(await ok(['get', 'limits', '-n', 'lim']), /^NAME\s+CREATED AT\ncpu\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  await ok(['run', 'd', '-n', 'lim', '--image=busybox']);
  assert.is(await ok(['get', 'pod', 'd', '-n', 'lim', '-o', 'jsonpath={.spec.containers[0].resources}']), '{"limits":{"cpu":"500m"},"requests":{"cpu":"200m"}}');
  assert.is(await ok(['get', 'pod', 'd', '-n', 'lim', '-o', 'jsonpath={.metadata.annotations.kubernetes\\.io/limit-ranger}']), 'LimitRanger plugin set: cpu request for container d; cpu limit for container d');
  const small = await kubectl(['apply', '-f', '-'], podYaml('lim', 'small', cpuRequest('50m')));
  assert.is(small.err.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "small" is forbidden: minimum cpu usage per Container is 100m, but request is 50m');
  const big = await kubectl(['apply', '-f', '-'], podYaml('lim', 'big', '    resources: {limits: {cpu: "2"}}\n'));
  assert.is(big.err.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
});

test.run();
