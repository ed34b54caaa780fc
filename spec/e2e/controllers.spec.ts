/**
 * Issue 6, end to end: the controllers as a user sees them through the real kubectl, against
 * a real `kubeactor up` child process (memory storage, a free port, three sim nodes, every
 * controller). A Deployment and its Service roll out and get endpoints; scale, set image,
 * rollout history and undo; deleting a Deployment collects its ReplicaSets and pods; deleting
 * a namespace empties and removes it; a LoadBalancer Service gets an EXTERNAL-IP when the
 * cloud service controller is in the registry. Real clock, every wait bounded.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliProcess } from '../helpers/cli.ts';
import { eventually } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-controllers-'));
let up: CliProcess;
let env: NodeJS.ProcessEnv;
let controllers: string[] = [];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
/** The real kubectl, asynchronously, with its own HOME (and so its own discovery cache). */
const kubectl = (args: string[], input?: string, timeoutMs = 45_000) =>
  new Promise<Run>((resolve) => {
    const child = execFile('kubectl', ['--request-timeout=20s', ...args], { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
/** kubectl that must succeed: its trimmed stdout. */
const ok = async (args: string[], input?: string): Promise<string> => {
  const r = await kubectl(args, input);
  assert.is(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return r.stdout.trim();
};
const show = (r: Run) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

/** kubectl polls: every 250 ms, for at most 20 s unless a call says otherwise. */
const POLL = { intervalMs: 250, timeoutMs: 20_000 };

const words = (s: string) => s.split(/\s+/).filter(Boolean).sort();
const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');
const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

const deployment = (ns: string, name: string, replicas: number, image = 'nginx:1.27') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels: {app: ${name}}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
          name: http
`;
const service = (ns: string, name: string, type = 'ClusterIP') => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  type: ${type}
  selector: {app: ${name}}
  ports:
  - name: http
    port: 80
    targetPort: 80
`;

/** The pod IPs of the running pods labelled app=`app` (what `get pods -o wide` shows as IP). */
const podIPs = async (app: string, ns = 'default') =>
  words(await ok(['get', 'pods', '-n', ns, '-l', `app=${app}`, '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[*].status.podIP}']));
/** Pods labelled app=`app` that `kubectl get pods` lists, with their STATUS column. */
const podRows = async (app: string, ns = 'default') =>
  lines((await kubectl(['get', 'pods', '-n', ns, '-l', `app=${app}`, '--no-headers'])).stdout);

test.before(async () => {
  up = runCli(['up', '--storage', 'memory', '--port', '0', '--data-dir', dir, '--default-runtime', 'sim']);
  await up.waitFor('ready.', 30_000);
  const kubeconfig = /kubeconfig: (\S+)/.exec(up.output())?.[1];
  assert.ok(kubeconfig, `no kubeconfig line in:\n${up.output()}`);
  controllers = (/kubeactor: controllers: (.*)/.exec(up.output())?.[1] ?? '').split(/,\s*/).filter(Boolean);
  env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, NO_COLOR: '1' };
  await eventually(
    async () => (await kubectl(['get', 'nodes', '--no-headers'])).stdout,
    { what: '3 Ready nodes', accept: (s) => lines(s).filter((l) => /\sReady\s/.test(l)).length === 3, ...POLL, timeoutMs: 15_000 },
  );
});

test.after(async () => {
  if (up) await up.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the kubernetes Service\'s Endpoints and EndpointSlice name where the API is served', async () => {
  const api = new URL(/API: (\S+)/.exec(up!.output())![1]!);
  const at = `${api.hostname}:${api.port}`;
  await eventually(async () => (await kubectl(['get', 'endpoints', 'kubernetes', '--no-headers'])).stdout, { what: 'endpoints kubernetes', accept: (o) => o.includes(at), ...POLL });
  const slice = JSON.parse(await ok(['get', 'endpointslice', 'kubernetes', '-o', 'json'])) as { endpoints: Array<{ addresses: string[] }>; ports: Array<{ name: string; port: number }>; metadata: { labels: Record<string, string> } };
  assert.equal(slice.endpoints.map((e) => e.addresses), [[api.hostname]]);
  assert.equal(slice.ports.map((p) => [p.name, p.port]), [['https', Number(api.port)]]);
  assert.is(slice.metadata.labels['kubernetes.io/service-name'], 'kubernetes');
});

test('apply a Deployment and a Service: rollout status finishes, endpoints and EndpointSlices list the pod IPs', async () => {
  const applied = await ok(['apply', '-f', '-'], deployment('default', 'web', 3) + '---\n' + service('default', 'web'));
  assert.match(applied, 'deployment.apps/web created');
  assert.match(applied, 'service/web created');
  const rollout = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
  assert.is(rollout.code, 0, show(rollout));
  assert.match(rollout.stdout, 'deployment "web" successfully rolled out');
  assert.match(await ok(['get', 'deploy', 'web']), /web\s+3\/3\s+3\s+3\s/);

  const ips = await podIPs('web');
  assert.is(ips.length, 3, `running pod IPs: ${ips}`);
  await eventually(
    async () => words((await kubectl(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).stdout),
    { what: 'kubectl get endpoints web to list the 3 pod IPs', accept: (seen) => sameSet(seen, ips), ...POLL },
  );
  const table = await ok(['get', 'endpoints', 'web']);
  for (const ip of ips) assert.match(table, `${ip}:80`, `get endpoints web:\n${table}`);

  const slices = await eventually(
    async () => (await kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={range .items[*].endpoints[*]}{.addresses[0]} {end}'])).stdout,
    { what: 'an EndpointSlice for web with the 3 pod IPs', accept: (s) => sameSet(words(s), ips), ...POLL },
  );
  assert.ok(slices);
  const sliceTable = await ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']);
  assert.match(sliceTable, /^web-\S+\s+IPv4\s+80\s+/m, sliceTable);
});

test('kubectl scale up and down: replicas, pods and endpoints follow', async () => {
  assert.is(await ok(['scale', 'deployment/web', '--replicas=5']), 'deployment.apps/web scaled');
  const up5 = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
  assert.is(up5.code, 0, show(up5));
  assert.match(await ok(['get', 'deploy', 'web']), /web\s+5\/5\s+5\s+5\s/);
  await eventually(
    () => podRows('web'),
    { what: '5 Running web pods', accept: (rows) => rows.length === 5 && rows.every((r) => /\s1\/1\s+Running\s/.test(r)), ...POLL },
  );
  const ips5 = await podIPs('web');
  await eventually(
    async () => words((await kubectl(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).stdout),
    { what: 'endpoints web to list 5 IPs', accept: (s) => sameSet(s, ips5), ...POLL },
  );

  assert.is(await ok(['scale', 'deployment/web', '--replicas=2']), 'deployment.apps/web scaled');
  await eventually(
    () => podRows('web'),
    { what: '2 web pods left (the rest deleted)', accept: (rows) => rows.length === 2 && rows.every((r) => /\s1\/1\s+Running\s/.test(r)), ...POLL },
  );
  assert.match(await ok(['get', 'deploy', 'web']), /web\s+2\/2\s+2\s+2\s/);
  assert.is(await ok(['get', 'rs', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.replicas}']), '2');
  const ips2 = await podIPs('web');
  await eventually(
    async () => words((await kubectl(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).stdout),
    { what: 'endpoints web to list 2 IPs', accept: (s) => sameSet(s, ips2), ...POLL },
  );
});

test('kubectl set image: a second ReplicaSet, a finished rollout, two revisions in history; undo restores the image', async () => {
  assert.is(await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.28']), 'deployment.apps/web image updated');
  const rolled = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=40s']);
  assert.is(rolled.code, 0, show(rolled));
  assert.match(rolled.stdout, 'deployment "web" successfully rolled out');

  const rs = lines(await ok(['get', 'rs', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.replicas} {.spec.template.spec.containers[0].image}{"\\n"}{end}'])).sort();
  assert.equal(rs, ['0 nginx:1.27', '2 nginx:1.28'], `ReplicaSets (replicas image): ${rs.join('; ')}`);
  await eventually(
    async () => (await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image} {.status.phase}{"\\n"}{end}'])).stdout,
    { what: 'the web pods to all run nginx:1.28', accept: (s) => sameSet(lines(s), ['nginx:1.28 Running', 'nginx:1.28 Running']), ...POLL },
  );

  const history = await ok(['rollout', 'history', 'deployment/web']);
  assert.match(history, /REVISION\s+CHANGE-CAUSE/, history);
  assert.match(history, /^1\s+<none>$/m, history);
  assert.match(history, /^2\s+<none>$/m, history);
  assert.match(await ok(['rollout', 'history', 'deployment/web', '--revision=1']), /Image:\s+nginx:1.27/);
  assert.match(await ok(['rollout', 'history', 'deployment/web', '--revision=2']), /Image:\s+nginx:1.28/);

  assert.is(await ok(['rollout', 'undo', 'deployment/web']), 'deployment.apps/web rolled back');
  const undone = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=40s']);
  assert.is(undone.code, 0, show(undone));
  assert.is(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.27');
  await eventually(
    async () => (await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image} {.status.phase}{"\\n"}{end}'])).stdout,
    { what: 'the web pods to all run nginx:1.27 again', accept: (s) => sameSet(lines(s), ['nginx:1.27 Running', 'nginx:1.27 Running']), ...POLL },
  );
  // Undo reuses revision 1's ReplicaSet as revision 3: still two ReplicaSets, history 2 and 3.
  const rsAfter = await ok(['get', 'rs', '-l', 'app=web', '-o', 'wide']);
  assert.is(lines(rsAfter).length - 1, 2, `after undo, expected revision 1's ReplicaSet to be reused:\n${rsAfter}`);
  const after = await ok(['rollout', 'history', 'deployment/web']);
  assert.match(after, /^2\s+<none>$/m, after);
  assert.match(after, /^3\s+<none>$/m, after);
  assert.not.match(after, /^1\s+<none>$/m, after);
});

test('kubectl delete deployment: the garbage collector removes its ReplicaSets and pods', async () => {
  assert.is(await ok(['delete', 'deployment', 'web']), 'deployment.apps "web" deleted');
  await eventually(async () => {
    const r = await kubectl(['get', 'rs', '-l', 'app=web']);
    return r.stdout + r.stderr;
  }, { what: 'no web ReplicaSets', accept: (s) => /No resources found in default namespace/.test(s), ...POLL, timeoutMs: 20_000 });
  await eventually(async () => {
    const r = await kubectl(['get', 'pods', '-l', 'app=web']);
    return r.stdout + r.stderr;
  }, { what: 'no web pods', accept: (s) => /No resources found in default namespace/.test(s), ...POLL, timeoutMs: 20_000 });
  await eventually(
    async () => (await kubectl(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).stdout.trim(),
    { what: 'endpoints web to list no addresses', accept: (s) => s === '', ...POLL },
  );
  assert.match(await ok(['delete', 'service', 'web']), 'service "web" deleted');
});

test('kubectl delete namespace with a deployment in it: everything inside goes, then the namespace', async () => {
  assert.is(await ok(['create', 'namespace', 'doomed']), 'namespace/doomed created');
  await ok(['apply', '-f', '-'], deployment('doomed', 'app', 2) + '---\n' + service('doomed', 'app'));
  await ok(['create', 'configmap', 'cfg', '-n', 'doomed', '--from-literal=k=v']);
  const rolled = await kubectl(['rollout', 'status', 'deployment/app', '-n', 'doomed', '--timeout=30s']);
  assert.is(rolled.code, 0, show(rolled));
  assert.is(lines(await ok(['get', 'pods', '-n', 'doomed', '--no-headers'])).length, 2);

  // kubectl delete waits (--wait defaults to true) until the namespace is gone.
  const started = Date.now();
  const del = await kubectl(['delete', 'namespace', 'doomed', '--timeout=45s'], undefined, 60_000);
  assert.is(del.code, 0, show(del));
  assert.match(del.stdout, 'namespace "doomed" deleted');
  const gone = await eventually(
    () => kubectl(['get', 'namespace', 'doomed']),
    { what: 'namespace doomed to be NotFound', accept: (r) => r.code !== 0, ...POLL, timeoutMs: 5_000 },
  );
  assert.match(gone.stderr, 'Error from server (NotFound): namespaces "doomed" not found');
  assert.ok(Date.now() - started < 45_000);
  for (const kind of ['pods', 'replicasets', 'deployments', 'services', 'configmaps', 'endpoints', 'endpointslices', 'serviceaccounts']) {
    const r = await kubectl(['get', kind, '-n', 'doomed', '--no-headers']);
    assert.is(r.stdout.trim(), '', `${kind} left in doomed: ${show(r)}`);
  }
  assert.is((await kubectl(['get', 'pods', '-A', '-l', 'app=app', '--no-headers'])).stdout.trim(), '');
});

/** Names the cloud service (LoadBalancer) controller goes by: kube-controller-manager's and cloud-controller-manager's. */
const CLOUD_SERVICE = /^(service-lb(-controller)?|service(-controller)?|cloud-?service(-controller)?|servicelb)$/;

test('a LoadBalancer Service shows an EXTERNAL-IP (when the cloud service controller is in the registry)', async () => {
  if (!controllers.some((n) => CLOUD_SERVICE.test(n))) {
    console.log(`  (skipped: no cloud service controller among: ${controllers.join(', ')})`);
    return;
  }
  await ok(['apply', '-f', '-'], deployment('default', 'lb', 1) + '---\n' + service('default', 'lb', 'LoadBalancer'));
  const row = await eventually(
    async () => (await kubectl(['get', 'service', 'lb', '--no-headers'])).stdout,
    { what: 'kubectl get service lb to show an EXTERNAL-IP', accept: (s) => /^lb\s+LoadBalancer\s+\S+\s+\d+\.\d+\.\d+\.\d+\s+80:\d+\/TCP\s/m.test(s), ...POLL, timeoutMs: 20_000 },
  );
  assert.ok(row);
  const ip = await ok(['get', 'service', 'lb', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']);
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
  await ok(['delete', 'service', 'lb']);
  await ok(['delete', 'deployment', 'lb']);
});

test.run();
