/**
 * The REST front under random and mutated requests (fuzz-requests.ts), against a real
 * control plane core in this process: every answer is a Kubernetes Status (for an error)
 * or a well-formed object, no answer is a 500, a refused request changes no stored state
 * (the kv revision stands still), and the server stays up and keeps its authentication.
 * Fixed seed; FUZZ_SCALE=50 (the `rest` soak) makes it 100,000 requests.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Agent, request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { check } from '../../../helpers/fuzz.ts';
import { request, type FuzzRequest } from './fuzz-requests.ts';
import { InProcessBus } from '../../../../bus/inprocess.ts';
import { ActorHost } from '../../../../actors/host.ts';
import { realClock } from '../../../../base/real-clock.ts';
import { silentLogger } from '../../../../actors/logger.ts';
import { MemoryKv } from '../../../../actors/kv/memory.ts';
import { startControlPlaneCore, type ControlPlaneCore } from '../../../../actors/apiserver/start.ts';
import { loadOrCreateToken, startKubectlFront, type HttpFront } from '../../../../actors/apiserver/http/index.ts';

const RUNS = Number(process.env.FUZZ_REST_RUNS ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'kubeactor-rest-fuzz-'));
const bus = new InProcessBus();
const backend = new MemoryKv();
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
let core: ControlPlaneCore;
let front: HttpFront;
let token: string;

interface Answer {
  status: number;
  type: string;
  body: Buffer;
}

function send(req: FuzzRequest, auth = true): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // The request's own headers win: a fuzzed Authorization replaces the admin token.
    const headers: Record<string, string> = { ...(auth ? { authorization: `Bearer ${token}` } : {}), ...req.headers };
    if (req.body) headers['content-length'] = String(req.body.length);
    const r = httpsRequest(new URL(front.url), { method: req.method, path: req.path, ca: front.caCert, agent, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`no answer in 10 s to ${req.method} ${req.path}`)));
    r.on('error', reject);
    if (req.body) r.write(req.body);
    r.end();
  });
}

const what = (req: FuzzRequest, a?: Answer): string =>
  `${req.method} ${req.path} ${JSON.stringify(req.headers)} body=${JSON.stringify(req.body?.toString('utf8').slice(0, 200))}` +
  (a ? ` → ${a.status} ${a.type} ${a.body.toString('utf8').slice(0, 300)}` : '');

/** What a client reads: a Status for an error, an object for a success, in the type it says. */
function checkAnswer(req: FuzzRequest, a: Answer): void {
  assert.ok(a.status >= 200 && a.status < 600, what(req, a));
  assert.ok(a.status < 500 || a.status === 503 || a.status === 504, `a server error: ${what(req, a)}`);
  if (req.method === 'HEAD' || a.body.length === 0) return;
  let doc: unknown;
  if (a.type.startsWith('application/json')) {
    if (a.type.includes('stream=watch')) return;
    try { doc = JSON.parse(a.body.toString('utf8')); } catch { assert.unreachable(`the answer is not the JSON it claims: ${what(req, a)}`); }
  } else if (a.type.startsWith('application/yaml')) {
    try { doc = parseYaml(a.body.toString('utf8')); } catch { assert.unreachable(`the answer is not the YAML it claims: ${what(req, a)}`); }
  } else return; // protobuf, text (logs, metrics, healthz), OpenAPI v2 protobuf
  if (a.status >= 400) {
    const s = doc as { kind?: string; apiVersion?: string; code?: number; reason?: string; message?: string };
    assert.is(s.kind, 'Status', what(req, a));
    assert.is(s.apiVersion, 'v1', what(req, a));
    assert.is(s.code, a.status, what(req, a));
    assert.type(s.message, 'string', what(req, a));
  } else {
    assert.ok(doc !== null && typeof doc === 'object' && !Array.isArray(doc), `a success that is not an object: ${what(req, a)}`);
  }
}

const SEEDS: Array<[string, object]> = [
  ['/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'target', labels: { app: 'web' } }, data: { k: 'v' } }],
  ['/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }],
  ['/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } }],
  ['/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } }],
  ['/apis/batch/v1/namespaces/default/jobs', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }],
  ['/apis/apps/v1/namespaces/default/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }],
];

/** (Re)creates the objects most paths name, so a lucky DELETE does not turn the rest of the run into 404s. */
async function reseed(): Promise<void> {
  for (const [p, obj] of SEEDS) {
    const a = await send({ method: 'POST', path: p, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(obj)) });
    assert.ok(a.status === 201 || a.status === 409, a.body.toString());
  }
}

test.before(async () => {
  const host = new ActorHost({ bus, clock: realClock, seed: 5, logger: silentLogger });
  core = startControlPlaneCore({ bus, host, backend });
  await core.ready();
  token = await loadOrCreateToken(dir);
  ({ front } = await startKubectlFront({ bus, dataDir: dir, port: 0, token }));
  await reseed();
});

test.after(async () => {
  agent.destroy();
  await front.close();
  core.stop();
  await bus.close();
  rmSync(dir, { recursive: true, force: true });
});

// Regressions the fuzzer found (seed 20261205 and FUZZ_SEED=2): the ServiceAccount admission
// plugin runs after defaulting but before validation, and threw on a pod without containers
// and on a volume without a name — a 500 where Kubernetes answers 422.
const pod = (spec: object): FuzzRequest => ({
  method: 'POST', path: '/api/v1/namespaces/default/pods', headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fuzzed' }, spec })),
});

test('a pod without containers is 422 spec.containers: Required value', async () => {
  const a = await send(pod({}));
  assert.is(a.status, 422, a.body.toString());
  assert.is(JSON.parse(a.body.toString()).message, 'Pod "fuzzed" is invalid: spec.containers: Required value');
});

test('a pod volume without a name is 422 from validation, not a 500 from admission', async () => {
  const a = await send(pod({ containers: [{ name: 'c', image: 'busybox' }], volumes: [{ emptyDir: {} }] }));
  assert.is(a.status, 422, a.body.toString());
  assert.ok(JSON.parse(a.body.toString()).details.causes.some((c: { field: string }) => c.field === 'spec.volumes[0].name'));
});

const stats = new Map<string, number>();
const slow: Array<[number, string]> = [];

test(`${RUNS} random requests: a Status or an object each, never a 500, and a refusal changes nothing`, async () => {
  let refused = 0;
  await check(fc.asyncProperty(request, async (req) => {
    const before = backend.revision();
    const t0 = performance.now();
    let a: Answer;
    try {
      a = await send(req);
    } catch (e) {
      assert.unreachable(`no answer (${(e as Error).message}): ${what(req)}`);
      return;
    }
    // FUZZ_SURVEY=1 lists every failure and goes on (to find many bugs in one run) instead of shrinking the first.
    if (process.env.FUZZ_SURVEY) {
      try { checkAnswer(req, a); } catch (e) { console.error(`SURVEY ${(e as Error).message.slice(0, 600)}`); }
    } else checkAnswer(req, a);
    if (process.env.FUZZ_VERBOSE) {
      const k = `${req.method} ${a.status}`;
      stats.set(k, (stats.get(k) ?? 0) + 1);
      slow.push([performance.now() - t0, `${req.method} ${req.path}`]);
      if (a.status >= 500) console.error(what(req, a).slice(0, 300));
    }
    if (req.method === 'DELETE' && a.status < 300) await reseed();
    if (a.status >= 400) {
      refused++;
      assert.is(backend.revision(), before, `a refused request wrote: ${what(req, a)}`);
    }
  }), RUNS);
  assert.ok(refused > 0);
  if (process.env.FUZZ_VERBOSE) {
    console.error([...stats].sort().map(([k, n]) => `${k}: ${n}`).join('\n'));
    console.error(`mean ${(slow.reduce((x, [ms]) => x + ms, 0) / slow.length).toFixed(1)} ms`);
    console.error(slow.sort((x, y) => y[0] - x[0]).slice(0, 15).map(([ms, r]) => `${ms.toFixed(0)} ms ${r}`).join('\n'));
  }
  // Still serving, still authenticating.
  assert.is((await send({ method: 'GET', path: '/readyz', headers: {} })).status, 200);
  const anon = await send({ method: 'GET', path: '/api/v1/namespaces/kube-system/secrets', headers: {} }, false);
  assert.is(anon.status, 401);
});

test.run();
