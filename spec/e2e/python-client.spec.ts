/**
 * The official Python client (Debian's python3-kubernetes) against a real control plane core
 * with one simulated node, through the HTTP front and the kubeconfig it writes (TLS checked
 * against the front's own CA). The client deserializes strictly, so a Node missing any
 * status.nodeInfo field fails here. fixtures/python_client.py does the calls and prints
 * JSON; this spec asserts on it. Without python3 or its kubernetes module the spec is
 * skipped, and says so.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InProcessBus } from '../../bus/inprocess.ts';
import { ActorHost } from '../../actors/host.ts';
import { realClock } from '../../base/real-clock.ts';
import { MemoryKv } from '../../actors/kv/memory.ts';
import { startControlPlaneCore } from '../../actors/apiserver/start.ts';
import { startKubectlFront } from '../../actors/apiserver/http/index.ts';
import { startSimNodes } from '../../actors/kubelet/index.ts';
import { eventually } from './cluster.ts';

const script = fileURLToPath(new URL('./fixtures/python_client.py', import.meta.url));

/**
 * The first python that imports kubernetes: $PYTHON, python3 on the PATH, then Debian's
 * /usr/bin/python3 (where apt's python3-kubernetes goes, when a pyenv shim comes first).
 */
function findPython(): { python: string } | { missing: string } {
  const tried: string[] = [];
  for (const python of [...new Set([process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p))]) {
    const r = spawnSync(python, ['-c', 'import kubernetes, sys; sys.stdout.write(kubernetes.__version__)'], { encoding: 'utf8', timeout: 20_000 });
    if (r.error) tried.push(`${python}: not found`);
    else if (r.status !== 0) tried.push(`${python}: ${r.stderr.trim().split('\n').pop()}`);
    else return { python };
  }
  return { missing: `no python3 with the kubernetes module (apt-get install python3-kubernetes); ${tried.join('; ')}` };
}

type Json = Record<string, any>;

const found = findPython();
if ('missing' in found) {
  console.log(`SKIP python-client.spec.ts: ${found.missing}`);
  test.skip(`python client against the cluster (skipped: ${found.missing})`, () => {});
} else {
  let result: Json = {};
  let stderr = '';
  let stop: () => Promise<void> = async () => {};

  test.before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeactor-python-'));
    const bus = new InProcessBus();
    const host = new ActorHost({ bus, clock: realClock, seed: 1 });
    const core = startControlPlaneCore({ bus, host, backend: new MemoryKv() });
    await core.ready();
    const nodes = await startSimNodes({ host, count: 1, clock: realClock });
    const { front, kubeconfig } = await startKubectlFront({ bus, dataDir: dir, port: 0 });
    stop = async () => {
      nodes.stop();
      await front.close();
      core.stop();
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    };
    // The Node is registered and Ready before the client lists it.
    const port = bus.register('spec.python-client', () => {});
    const ready = await eventually(async () => {
      const r = await port.request('apiserver', 'api.get', { target: { group: '', version: 'v1', resource: 'nodes', name: nodes.names[0]! } });
      const conds = r.ok ? ((r.value.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []) : [];
      return conds.some((c) => c.type === 'Ready' && c.status === 'True');
    }, 15_000);
    port.close();
    assert.ok(ready, 'the sim node never became Ready');
    // Async: the cluster lives in this process, so a blocking spawnSync would stall it.
    const run = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      execFile(found.python, [script, kubeconfig], { timeout: 90_000, maxBuffer: 8 << 20, env: { ...process.env, HOME: dir } }, (err, stdout, se) => {
        resolve({ stdout, stderr: se, code: err ? 1 : 0 });
      });
    });
    stderr = run.stderr;
    assert.is(run.code, 0, `python_client.py failed:\n${run.stderr}`);
    result = JSON.parse(run.stdout) as Json;
    if (process.env.DEBUG_PY) console.log(JSON.stringify(result, null, 1), run.stderr);
  });
  test.after(async () => {
    await stop();
  });

  /** The step's result, failing with its error (and the script's stderr) when it broke. */
  const stepOf = (name: string): Json => {
    const v = result[name];
    assert.ok(v !== undefined, `step ${name} did not run\n${stderr}`);
    assert.not.ok(v && typeof v === 'object' && 'error' in v, `step ${name}: ${JSON.stringify(v)}`);
    return v as Json;
  };

  test('version: 1.32 from /version/', () => {
    const v = stepOf('version');
    assert.is(v.major, '1');
    assert.is(v.minor, '32');
  });

  test('list_node deserializes a sim node strictly (status.nodeInfo complete)', () => {
    const nodes = stepOf('nodes') as unknown as Json[];
    assert.is(nodes.length, 1);
    const n = nodes[0]!;
    assert.is(n.name, 'node-1');
    assert.match(n.kubeletVersion, /^v1\.32\./);
    assert.ok(n.osImage);
    assert.equal(n.ready, ['True']);
    assert.ok(n.addresses.includes('InternalIP'));
    assert.ok(n.capacityPods);
  });

  test('create_namespace', () => {
    assert.equal(stepOf('namespace'), { name: 'py', phase: 'Active' });
  });

  test('ConfigMap CRUD, patches and the errors as ApiException', () => {
    const c = stepOf('crud');
    assert.is(c.created.name, 'one');
    assert.match(c.created.uid, /^[0-9a-f-]{36}$/);
    assert.is(c.created.generation, null);
    assert.is(c.read, true);
    assert.equal(c.listed, ['one']);
    assert.match(c.listRv, /^\d+$/);
    assert.equal(c.replaced, { a: 'replaced' });
    assert.equal(c.smp, { data: { a: 'replaced', b: '2' }, labels: { app: 'py', x: 'y' } });
    assert.equal(c.jsonPatch, { a: 'json', b: '2' });
    assert.is(c.stale.status, 409);
    assert.is(c.stale.reason, 'Conflict');
    assert.is(c.duplicate.status, 409);
    assert.is(c.duplicate.reason, 'AlreadyExists');
    assert.equal(c.deleted, { kind: 'Status', status: 'Success' });
    assert.equal(c.missing, { status: 404, reason: 'NotFound', message: 'configmaps "one" not found' });
  });

  test('Deployment: create, scale, read, delete', () => {
    const d = stepOf('deployment');
    assert.equal(d.generation, [1, 2]);
    assert.is(d.strategy, 'RollingUpdate');
    assert.equal(d.scale, { kind: 'Scale', replicas: 3 });
    assert.is(d.replicas, 3);
  });

  test('Watch.stream replays from a resourceVersion and ends at timeout_seconds', () => {
    const w = stepOf('watchReplay');
    assert.equal(w.events, [
      { type: 'ADDED', name: 'w', data: { a: '1' }, cls: 'V1ConfigMap' },
      { type: 'MODIFIED', name: 'w', data: { a: '2' }, cls: 'V1ConfigMap' },
      { type: 'DELETED', name: 'w', data: { a: '2' }, cls: 'V1ConfigMap' },
    ]);
    assert.ok(w.seconds >= 1.5 && w.seconds < 10, `stream lasted ${w.seconds}s`);
  });

  test('Watch.stream sees live ADDED, MODIFIED, DELETED; stop() ends it', () => {
    const w = stepOf('watchLive');
    assert.equal(w.events, [
      { type: 'ADDED', name: 'live', data: { a: '1' } },
      { type: 'MODIFIED', name: 'live', data: { a: '2' } },
      { type: 'DELETED', name: 'live', data: { a: '2' } },
    ]);
    assert.is(w.stopped, true);
  });

  test('Pods: create and list across namespaces (no generation before 1.33)', () => {
    assert.equal(stepOf('pods'), [{ name: 'p', phase: 'Pending', generation: null }]);
  });
}

test.run();
