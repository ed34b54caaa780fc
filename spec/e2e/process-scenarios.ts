/**
 * The end-to-end scenarios of process pods (issue 11's "Done when"), written once and run by
 * two spec files against the real `kubeactor up` and the real kubectl: with the node in the
 * same process (process-scenarios.spec.ts) and with the node in another process over a real
 * nats-server (nats-process-scenarios.spec.ts). A spec file passes a cluster that was started
 * with `--default-runtime process`, `--sync-frequency 1s` and `--allowed-host-paths <dir>/host`.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Kubectl } from '../helpers/kubectl.ts';
import { httpGetText } from '../helpers/http-get.ts';
import { eventually } from '../helpers/wait.ts';
import { processesNaming } from '../helpers/processes.ts';

/** A running cluster whose nodes run process pods, as the scenarios need it. */
export interface ProcessCluster {
  /** The spec's own directory: kubectl's HOME and kubeconfig, the nodes' data; every process of the spec names it. */
  dir: string;
  kubectl: Kubectl;
  /** The pod IPs of the cluster's --cluster-cidr. */
  podIP: RegExp;
  /** How many sandbox processes run now. */
  sandboxes(): number;
  /** Stops the nodes and the control plane, asserting each exits with 0. */
  stop(): Promise<void>;
}

const WORKLOADS = `apiVersion: v1
kind: ConfigMap
metadata: { name: web-config }
data: { greeting: "hello from the configmap" }
---
apiVersion: v1
kind: Secret
metadata: { name: web-secret }
data: { password: czNjcmV0 }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: kubeactor/http-echo:1.0
        ports: [{ containerPort: 8080 }]
        env: [{ name: PASSWORD, valueFrom: { secretKeyRef: { name: web-secret, key: password } } }]
        volumeMounts: [{ name: config, mountPath: /etc/web }]
      volumes: [{ name: config, configMap: { name: web-config } }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  serviceName: db
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: db
        image: busybox
        command: [sh, -c, 'echo $(hostname) >> /data/log; sleep 3600']
        volumeMounts: [{ name: data, mountPath: /data }]
  volumeClaimTemplates:
  - metadata: { name: data }
    spec:
      accessModes: [ReadWriteOnce]
      resources: { requests: { storage: 1Gi } }
---
apiVersion: v1
kind: Pod
metadata: { name: counter }
spec:
  terminationGracePeriodSeconds: 1
  containers: [{ name: app, image: busybox, command: [sh, -c, 'i=0; while true; do i=$((i+1)); echo line $i; sleep 0.2; done'] }]
---
apiVersion: v1
kind: Pod
metadata: { name: unhealthy }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: kubeactor/http-echo:1.0
    livenessProbe: { httpGet: { port: 9999, path: /healthz }, periodSeconds: 1, failureThreshold: 1 }
---
apiVersion: v1
kind: Pod
metadata: { name: ghost }
spec:
  containers: [{ name: app, image: nosuch/app:2 }]
`;

/** A pod whose container appends "term" to /hook/log on SIGTERM and whose preStop hook appends "prestop". */
const hooked = (hostDir: string) => `apiVersion: v1
kind: Pod
metadata: { name: hooked }
spec:
  terminationGracePeriodSeconds: 10
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'trap "echo term >> /hook/log; exit 0" TERM; while true; do sleep 0.1; done']
    lifecycle: { preStop: { exec: { command: [sh, -c, 'echo prestop >> /hook/log'] } } }
    volumeMounts: [{ name: hook, mountPath: /hook }]
  volumes: [{ name: hook, hostPath: { path: ${hostDir}, type: DirectoryOrCreate } }]
`;

/** What a command run on a terminal (by `script`, as a user's shell runs it) printed, `input` typed into it. */
const onTerminal = (home: string, line: string, input = ''): Promise<string> => new Promise((resolve) => {
  const child = execFile('script', ['-qec', line, '/dev/null'], { env: { ...process.env, HOME: home } }, (_err, stdout) => resolve(stdout));
  child.stdin!.end(input);
});

/** Registers the scenarios as uvu tests; the first starts the cluster with `start`, the last stops it. */
export function processScenarios(start: () => Promise<ProcessCluster>): void {
  let c: ProcessCluster;
  let kubectl: Kubectl;
  let pod = '';
  /** The events about `name`, one `Reason: message` a line. */
  const eventsOf = (name: string) =>
    kubectl('get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
  const execOut = async (p: string, ...cmd: string[]) => (await kubectl.run(['exec', p, '--', ...cmd])).out;

  test('a Deployment of the HTTP image with a ConfigMap volume and a Secret env var: kubectl exec reads both', async () => {
    c = await start();
    kubectl = c.kubectl;
    const applied = await kubectl.run(['apply', '-f', '-'], WORKLOADS + '---\n' + hooked(join(c.dir, 'host')));
    assert.is(applied.code, 0, applied.err);
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    pod = await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}');
    assert.match(await kubectl('get', 'pod', pod, '-o', 'jsonpath={.status.podIP}'), c.podIP);
    assert.is(await kubectl('exec', pod, '--', 'cat', '/etc/web/greeting'), 'hello from the configmap');
    assert.is(await kubectl('exec', pod, '--', 'sh', '-c', 'echo $PASSWORD'), 's3cret');
    assert.ok(c.sandboxes() > 0);
  });

  test('the pod answers on its pod IP; kubectl exec -i feeds stdin, reports exit codes and stderr', async () => {
    const ip = await kubectl('get', 'pod', pod, '-o', 'jsonpath={.status.podIP}');
    assert.match(await httpGetText(`http://${ip}:8080/hi`), new RegExp(`^pod: ${pod}\nrequest: GET /hi HTTP/1.1\n`));
    assert.match(await kubectl('logs', pod), `http-echo listening on ${ip}:8080`);
    const fed = await kubectl.run(['exec', '-i', pod, '--', 'sh', '-c', 'echo $HOSTNAME; cat'], 'through stdin\n');
    assert.is(fed.out, `${pod}\nthrough stdin\n`, fed.err);
    const failed = await kubectl.run(['exec', pod, '--', 'sh', '-c', 'echo to-stderr >&2; exit 3']);
    assert.is(failed.code, 3);
    assert.match(failed.err, 'to-stderr\ncommand terminated with exit code 3');
    const missing = await kubectl.run(['exec', pod, '--', 'nosuchtool']);
    assert.match(missing.err, 'exec: "nosuchtool": executable file not found in $PATH');
  });

  test('kubectl exec -it runs the command on a pty of the terminal\'s size', async () => {
    // `script` gives kubectl a terminal (of 77 columns, 22 rows) as a user's shell would.
    const out = await onTerminal(c.dir, `stty cols 77 rows 22; kubectl --kubeconfig ${join(c.dir, 'kubeconfig')} exec -it ${pod} -- sh -c 'tty; stty size; exit 5'`);
    assert.match(out, /\/dev\/pts\/\d+\r\n22 77\r\n/);
    assert.match(out, 'command terminated with exit code 5');
  });

  test('a ConfigMap edit shows up in the mounted file', async () => {
    await kubectl('patch', 'configmap', 'web-config', '-p', '{"data":{"greeting":"edited"}}');
    await eventually(async () => (await execOut(pod, 'cat', '/etc/web/greeting')) === 'edited' || undefined,
      { timeoutMs: 20_000, intervalMs: 250, what: 'the edited greeting in /etc/web/greeting' });
  });

  test('kubectl port-forward, then an HTTP request returns the pod\'s answer', async () => {
    const pf = spawn('kubectl', ['--kubeconfig', join(c.dir, 'kubeconfig'), 'port-forward', `pod/${pod}`, ':8080'], { env: { ...process.env, HOME: c.dir } });
    try {
      let out = '';
      pf.stdout.on('data', (d) => (out += d));
      const local = await eventually(() => /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out)?.[1], { timeoutMs: 20_000, what: 'port-forward listening' });
      const body = await httpGetText(`http://127.0.0.1:${local}/through-kubectl`);
      assert.match(body, new RegExp(`^pod: ${pod}\nrequest: GET /through-kubectl HTTP/1.1\n`));
    } finally {
      pf.kill('SIGTERM');
    }
  });

  test('kubectl cp in and out of the container', async () => {
    const src = join(c.dir, 'in.txt');
    writeFileSync(src, 'copied in\n');
    await kubectl('cp', src, `${pod}:/tmp/in.txt`);
    assert.is(await kubectl('exec', pod, '--', 'cat', '/tmp/in.txt'), 'copied in');
    await kubectl('exec', pod, '--', 'sh', '-c', 'echo made inside > /tmp/out.txt');
    await kubectl('cp', `${pod}:/tmp/out.txt`, join(c.dir, 'out.txt'));
    assert.is(readFileSync(join(c.dir, 'out.txt'), 'utf8'), 'made inside\n');
  });

  test('kubectl logs -f streams the lines as the container prints them', async () => {
    await kubectl('wait', '--for=condition=Ready', 'pod/counter', '--timeout=60s');
    const follow = spawn('kubectl', ['--kubeconfig', join(c.dir, 'kubeconfig'), 'logs', '-f', 'counter'], { env: { ...process.env, HOME: c.dir } });
    try {
      let out = '';
      follow.stdout.on('data', (d) => (out += d));
      const numbers = () => [...out.matchAll(/^line (\d+)$/gm)].map((m) => Number(m[1]));
      const first = await eventually(() => numbers()[0], { timeoutMs: 20_000, what: 'a first line' });
      // Lines printed after kubectl started following arrive on the same stream.
      await eventually(() => numbers().some((n) => n >= first + 5), { timeoutMs: 20_000, what: `line ${first + 5}`, detail: () => out });
      assert.equal(numbers(), numbers().map((_, i) => first + i), 'every line once, in order');
    } finally {
      follow.kill('SIGTERM');
    }
  });

  test('kubectl run -i --rm feeds stdin to a busybox pod and shows its answer', async () => {
    const r = await kubectl.run(['run', '-i', '--rm', 'asker', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'read x; echo got $x'], 'hello\n');
    assert.is(r.code, 0, r.err);
    assert.match(r.out, 'got hello');
    await eventually(async () => !(await kubectl('get', 'pods', '-o', 'name')).includes('pod/asker'), { timeoutMs: 20_000, what: 'pod asker gone' });
  });

  test('kubectl run -it --rm gives a shell on a terminal', async () => {
    const out = await onTerminal(c.dir, `kubectl --kubeconfig ${join(c.dir, 'kubeconfig')} run -it --rm shell --image=busybox --restart=Never -- sh`, 'echo in-$((6*7)); exit\n');
    assert.match(out, 'in-42');
    assert.match(out, 'pod "shell" deleted');
  });

  test('a failing liveness httpGet restarts the container: restartCount grows', async () => {
    const restarts = await eventually(async () => Number(await kubectl('get', 'pod', 'unhealthy', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}')),
      { timeoutMs: 30_000, intervalMs: 250, what: 'a restart of unhealthy' });
    assert.ok(restarts >= 1);
    const events = await eventsOf('unhealthy');
    assert.match(events, /Unhealthy: Liveness probe failed: Get "http:\/\/127\.\d+\.\d+\.\d+:9999\/healthz": dial tcp 127\.\d+\.\d+\.\d+:9999: connect: connection refused/);
  });

  test('a preStop hook runs before SIGTERM', async () => {
    await kubectl('wait', '--for=condition=Ready', 'pod/hooked', '--timeout=60s');
    await kubectl('delete', 'pod', 'hooked', '--timeout=30s');
    assert.is(readFileSync(join(c.dir, 'host', 'log'), 'utf8'), 'prestop\nterm\n');
  });

  test('a StatefulSet pod keeps its claim\'s data across deletion', async () => {
    await kubectl('rollout', 'status', 'statefulset/db', '--timeout=60s');
    assert.is(await kubectl('get', 'pvc', 'data-db-0', '-o', 'jsonpath={.status.phase}'), 'Bound');
    const volume = await kubectl('get', 'pvc', 'data-db-0', '-o', 'jsonpath={.spec.volumeName}');
    const path = await kubectl('get', 'pv', volume, '-o', 'jsonpath={.spec.local.path}{.spec.hostPath.path}');
    assert.ok(path.startsWith(join(c.dir, 'storage')), `the PV lives in the data dir's storage (${path})`);
    await eventually(async () => (await execOut('db-0', 'cat', '/data/log')) === 'db-0\n' || undefined, { timeoutMs: 20_000, what: 'the first line' });
    const firstUid = await kubectl('get', 'pod', 'db-0', '-o', 'jsonpath={.metadata.uid}');
    // kubectl 1.32's `delete` waits by name after a GET: when the StatefulSet recreates db-0
    // between that GET and its list (a process pod ends within milliseconds), it waits on the
    // new pod forever (kubernetes/kubectl#1803). A wait that listed the old pod before the
    // delete ends on the watch's DELETED of that pod, though a new db-0 follows at once.
    const waiter = spawn('kubectl', ['--kubeconfig', join(c.dir, 'kubeconfig'), '-v=6', 'wait', '--for=delete', 'pod/db-0', '--timeout=30s'], { env: { ...process.env, HOME: c.dir } });
    let waited = '';
    waiter.stderr.on('data', (d) => (waited += d));
    const waiterExit = new Promise<number | null>((resolve) => waiter.on('close', resolve));
    await eventually(() => /watch=true.* 200 OK/.test(waited), { timeoutMs: 20_000, what: 'kubectl wait watching db-0', detail: () => waited });
    await kubectl('delete', 'pod', 'db-0', '--wait=false');
    assert.is(await waiterExit, 0, waited);
    await eventually(async () => {
      const uid = (await kubectl.run(['get', 'pod', 'db-0', '-o', 'jsonpath={.metadata.uid}'])).out;
      return uid && uid !== firstUid ? true : undefined;
    }, { timeoutMs: 30_000, what: 'db-0 recreated' });
    await kubectl('wait', '--for=condition=Ready', 'pod/db-0', '--timeout=60s');
    await eventually(async () => (await execOut('db-0', 'cat', '/data/log')) === 'db-0\ndb-0\n' || undefined, { timeoutMs: 20_000, what: 'two lines after the pod is recreated' });
    assert.is(await kubectl('get', 'pvc', 'data-db-0', '-o', 'jsonpath={.spec.volumeName}'), volume, 'the same volume');
  });

  test('an image that resolves to nothing shows ImagePullBackOff', async () => {
    await eventually(async () => (await kubectl('get', 'pod', 'ghost', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}')) === 'ImagePullBackOff' || undefined,
      { timeoutMs: 30_000, intervalMs: 250, what: 'ghost ImagePullBackOff' });
    const events = await eventsOf('ghost');
    assert.match(events, 'Failed: Failed to pull image "nosuch/app:2": rpc error: code = NotFound');
    assert.match(events, 'BackOff: Back-off pulling image "nosuch/app:2"');
  });

  test('no process is left behind: not of deleted pods, not of running pods once the cluster stops', async () => {
    await kubectl('delete', 'deployment/web', 'statefulset/db', 'pod/unhealthy', 'pod/ghost', '--timeout=30s');
    await eventually(async () => (await kubectl('get', 'pods', '-l', 'app in (web,db)', '-o', 'name')) === '', { timeoutMs: 30_000, what: 'the pods of web and db gone' });
    assert.ok(c.sandboxes() > 0, 'pod counter still runs');
    await c.stop();
    // Every process of the spec names its directory: up, node, the sandboxes, kubectl.
    await eventually(() => processesNaming(c.dir).length === 0, { timeoutMs: 5000, what: 'no process left', detail: () => processesNaming(c.dir) });
  });
}
