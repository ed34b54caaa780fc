/**
 * Persistent volumes mounted into process pods, end to end: the real
 * `kubeactor up --default-runtime process` and the real kubectl. A StatefulSet of busybox
 * with a volumeClaimTemplate (default class local-path, WaitForFirstConsumer) appends its
 * hostname to /data/log; the data outlives the pod's deletion. No process outlives `up`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { eventually } from '../helpers/wait.ts';
import { processesNaming } from '../helpers/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-procpvc-'));
const kubeconfig = join(dir, 'kubeconfig');
const kubectl = kubectlAt(kubeconfig, dir);
const kubectlRun = kubectl.run;

const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'process', '--cluster-cidr', '127.251.0.0/16']);

test('a StatefulSet pod keeps its claim\'s data across deletion: kubectl exec cat /data/log shows both runs', async () => {
  await up.waitFor('ready.', 60_000);
  const applied = await kubectlRun(['apply', '-f', '-'], `apiVersion: apps/v1
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
`);
  assert.is(applied.code, 0, applied.err);
  await kubectl('rollout', 'status', 'statefulset/db', '--timeout=60s');
  assert.is(await kubectl('get', 'pvc', 'data-db-0', '-o', 'jsonpath={.status.phase}'), 'Bound');
  const volume = await kubectl('get', 'pvc', 'data-db-0', '-o', 'jsonpath={.spec.volumeName}');
  const path = await kubectl('get', 'pv', volume, '-o', 'jsonpath={.spec.local.path}{.spec.hostPath.path}');
  assert.ok(path.startsWith(join(dir, 'storage')), `the PV lives in the data dir's storage (${path})`);
  await eventually(async () => (await kubectlRun(['exec', 'db-0', '--', 'cat', '/data/log'])).out === 'db-0\n' || undefined, { timeoutMs: 20_000, what: 'the first line' });
  const firstUid = await kubectl('get', 'pod', 'db-0', '-o', 'jsonpath={.metadata.uid}');

  // --wait=false: a process pod stops within milliseconds and the StatefulSet recreates db-0 before
  // kubectl's wait lists it, so kubectl (whose wait then sees only the new pod) would wait forever.
  await kubectl('delete', 'pod', 'db-0', '--wait=false');
  await eventually(async () => {
    const uid = (await kubectlRun(['get', 'pod', 'db-0', '-o', 'jsonpath={.metadata.uid}'])).out;
    return uid && uid !== firstUid ? true : undefined;
  }, { timeoutMs: 30_000, what: 'db-0 recreated' });
  await kubectl('wait', '--for=condition=Ready', 'pod/db-0', '--timeout=60s');
  await eventually(async () => (await kubectlRun(['exec', 'db-0', '--', 'cat', '/data/log'])).out === 'db-0\ndb-0\n' || undefined, { timeoutMs: 20_000, what: 'two lines after the pod is recreated' });
  assert.is(await kubectl('get', 'pv', volume, '-o', 'jsonpath={.status.phase}'), 'Bound', 'the same volume');
});

test('no process is left behind once the StatefulSet is gone and up stops', async () => {
  await kubectl('delete', 'statefulset', 'db');
  await eventually(() => processesNaming(join(dir, 'nodes')).length === 0 || undefined, { timeoutMs: 15_000, what: 'no sandbox left' });
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
  await eventually(() => processesNaming(dir).length === 0 || undefined, { timeoutMs: 5000, what: 'no process left' });
  rmSync(dir, { recursive: true, force: true });
});

test.run();
