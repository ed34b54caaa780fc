/**
 * The library entry (`import { startCluster } from 'kubeactor'`, resolved through
 * package.json's exports as a test suite's import is): clusters side by side in one
 * process, each a whole cluster the real kubectl drives, each stopped without a trace.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startCluster, type Cluster } from 'kubeactor';
import type * as source from '../../lib/cluster.ts';

// The published types (lib/index.d.ts) and the implementation's agree, both ways.
const _published: typeof source.startCluster = startCluster;
const _implemented: typeof startCluster = null as unknown as typeof source.startCluster;
void _published, void _implemented;

const home = mkdtempSync(join(tmpdir(), 'kubeactor-lib-home-'));

function kubectl(c: Cluster, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // HOME holds kubectl's discovery cache: one per run.
  const env = { ...process.env, KUBECONFIG: c.kubeconfigPath, HOME: home, NO_COLOR: '1' };
  return new Promise((resolve) => {
    const child = execFile('kubectl', ['--request-timeout=20s', ...args], { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr }));
    child.stdin?.end(input ?? '');
  });
}

/** GET /readyz with the cluster's CA and token: the status code, or the connection error's code. */
function readyz(c: Cluster): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(`${c.url}/readyz`, { ca: c.caCert, headers: { authorization: `Bearer ${c.token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
    req.end();
  });
}

const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: team}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: nginx}]}
`;

test('three clusters start side by side in one process, each answering on its own port', async () => {
  const clusters = await Promise.all([startCluster(), startCluster({ seed: 2 }), startCluster({ nodes: 0 })]);
  try {
    const urls = new Set(clusters.map((c) => c.url));
    assert.is(urls.size, 3);
    for (const c of clusters) {
      assert.match(c.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(c.kubeconfig.includes(c.url), 'the kubeconfig names its own cluster');
      assert.ok(existsSync(c.kubeconfigPath));
      assert.is(await readyz(c), 200);
    }
    const [a, b, empty] = clusters as [Cluster, Cluster, Cluster];
    const nodes = await kubectl(a, ['get', 'nodes', '-o', 'name']);
    assert.is(nodes.stdout.trim(), 'node/node-1', nodes.stderr);
    assert.is((await kubectl(empty, ['get', 'nodes', '-o', 'name'])).stdout.trim(), '');

    // What envtest cannot do: the controllers run, so a Deployment's pods become Running on the sim node.
    assert.is((await kubectl(a, ['create', 'namespace', 'team'])).code, 0);
    const applied = await kubectl(a, ['apply', '-f', '-'], deployment('web'));
    assert.is(applied.code, 0, applied.stderr);
    const rollout = await kubectl(a, ['-n', 'team', 'rollout', 'status', 'deployment/web', '--timeout=30s']);
    assert.is(rollout.code, 0, rollout.stderr);
    const phases = await kubectl(a, ['-n', 'team', 'get', 'pods', '-o', 'jsonpath={.items[*].status.phase}']);
    assert.equal(phases.stdout.split(' '), ['Running', 'Running']);
    // … and not in the cluster beside it.
    assert.match((await kubectl(b, ['get', 'namespace', 'team'])).stderr, /namespaces "team" not found/);

    // Namespaces finish deleting (the namespace controller empties them): the envtest pain.
    const deleted = await kubectl(a, ['delete', 'namespace', 'team', '--timeout=30s']);
    assert.is(deleted.code, 0, deleted.stderr);
    assert.match((await kubectl(a, ['get', 'namespace', 'team'])).stderr, /not found/);
  } finally {
    await Promise.all(clusters.map((c) => c.stop()));
  }
  for (const c of clusters) {
    assert.is(await readyz(c), 'ECONNREFUSED', 'the port is closed');
    assert.not.ok(existsSync(c.kubeconfigPath), 'the temporary directory is gone');
  }
});

test('a given data directory is kept, and stop() may be called twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-lib-dir-'));
  try {
    const c = await startCluster({ dataDir: dir, nodes: 0, controllers: 'serviceaccount' });
    assert.is(c.kubeconfigPath, join(dir, 'kubeconfig'));
    const sa = await kubectl(c, ['create', 'namespace', 'x']);
    assert.is(sa.code, 0, sa.stderr);
    await Promise.all([c.stop(), c.stop()]);
    assert.ok(existsSync(join(dir, 'kubeconfig')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ui: true serves the web UI on its own loopback port, whose cluster view lists the nodes', async () => {
  const c = await startCluster({ nodes: 2, ui: true, metricResolutionMs: 0 });
  const url = c.uiUrl ?? '';
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    assert.is(page.status, 200);
    assert.match(await page.text(), '<html');
    // The tab's socket, as the page opens it: the first hello gives the summary, a window the node rows.
    const ws = new WebSocket(url.replace('http', 'ws'));
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    const answers = new Map<number, (f: { result?: { total?: number; rows?: { name: string }[] } }) => void>();
    ws.on('message', (d) => { const f = JSON.parse(d.toString()); if (!('push' in f)) answers.get(f.id)?.(f); });
    const call = (id: number, req: object) => new Promise<{ result?: { total?: number; rows?: { name: string }[] } }>((r) => { answers.set(id, r); ws.send(JSON.stringify({ ...req, id })); });
    const deadline = Date.now() + 20_000;
    let rows: string[] = [];
    while (rows.length < 2 && Date.now() < deadline) {
      rows = ((await call(rows.length + Date.now(), { op: 'window', list: 'nodes', offset: 0, limit: 10 })).result?.rows ?? []).map((n) => n.name);
      if (rows.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(rows.sort(), ['node-1', 'node-2']);
    ws.close();
  } finally {
    await c.stop();
  }
  // A fresh connection (fetch would reuse its kept-alive socket).
  const closed = await new Promise((r) => get(url, { agent: false }, (res) => (res.resume(), r(res.statusCode))).on('error', (e: NodeJS.ErrnoException) => r(e.code)));
  assert.is(closed, 'ECONNREFUSED', 'the UI port is closed');
});

test.after(() => rmSync(home, { recursive: true, force: true }));
test.run();
