/**
 * The audit log written by its writer thread: the same bytes as the apiserver's thread writes
 * for the same events (every level, bodies, escapes, annotations, failures), every line in the
 * file once `close` resolves, rotation, and a thread that dies — reported once, the log carried
 * on by the apiserver's thread, no event lost and nothing thrown at the request path — and
 * which of the two writes a file, by the machine's cores.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePolicy } from '../../../../api/audit/policy.ts';
import type { AuditAttributes } from '../../../../api/audit/types.ts';
import { Auditor, auditLog, WRITER_THREAD_MIN_CPUS } from '../../../../actors/apiserver/audit/auditor.ts';
import { AuditLog, type AuditBackend, type AuditSink } from '../../../../actors/apiserver/audit/log.ts';
import { AuditWriterThread } from '../../../../actors/apiserver/audit/writer.ts';

const root = mkdtempSync(join(tmpdir(), 'kubeactor-audit-writer-'));
let dirs = 0;
const fresh = () => mkdtempSync(join(root, `d${dirs++}-`));

const policy = parsePolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: RequestResponse
  resources: [{group: "", resources: [configmaps]}]
  omitStages: [RequestReceived]
- level: Request
  resources: [{group: "apps"}]
- level: Metadata
`);
const node = Object.freeze({ username: 'system:node:n1', groups: Object.freeze(['system:nodes', 'system:authenticated']) });
const admin = { username: 'admin "root"', uid: 'u-1', groups: ['system:masters'], extra: { scope: ['a\\b'] } };
const attrs = (user: AuditAttributes['user'], verb: string, resource: string, group: string, namespace: string, name?: string): AuditAttributes => ({
  user,
  verb,
  resource: { group, version: 'v1', resource, namespace, ...(name ? { name } : {}) },
  path: `/api${group ? `s/${group}` : ''}/v1/namespaces/${namespace}/${resource}${name ? `/${name}` : ''}`,
});

/** `n` requests of every kind the log meets, through `a`: the same calls give the same events. */
function traffic(a: Auditor, n: number, from = 0): void {
  for (let i = from; i < from + n; i++) {
    const pod = `web-${i.toString(36)}`;
    const r = a.begin({ auditID: `id-${i}-a`, attrs: attrs(node, 'patch', 'pods', '', 'default', pod), requestURI: `/api/v1/namespaces/default/pods/${pod}/status`, sourceIPs: [] })!;
    r.requestObject({ metadata: { uid: `uid-${i}` }, status: { phase: 'Running' } });
    r.authorized('allow');
    r.complete(200, { kind: 'Pod', apiVersion: 'v1', metadata: { name: pod } });
    const cm = a.begin({ auditID: `id-${i}-b`, attrs: attrs(admin, 'create', 'configmaps', '', 'tëam'), requestURI: '/api/v1/namespaces/t%C3%ABam/configmaps?x="q"', sourceIPs: ['10.0.0.1'], userAgent: 'kubectl/v1.31 (linux)' })!;
    cm.requestObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: `cm-${i}`, namespace: 'tëam' }, data: { k: 'line\nbreak \ud800 😀' } });
    cm.authorized('forbid', `RBAC: "${i}" denied`);
    cm.annotate('note', 'x');
    cm.complete(403, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', message: 'no', code: 403 });
    const w = a.begin({ auditID: `id-${i}-c`, attrs: attrs(node, 'watch', 'deployments', 'apps', 'default'), requestURI: '/apis/apps/v1/namespaces/default/deployments?watch=true', sourceIPs: ['::1', '127.0.0.1'] })!;
    w.impersonated({ username: 'bob', groups: ['g'] });
    w.responseStarted(200);
    if (i % 7 === 0) w.panic('boom');
    else w.complete(200);
  }
}

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').slice(0, -1);

function clock(): () => number {
  let t = Date.parse('2026-12-06T05:00:00.000Z');
  return () => (t += 0.4567);
}

test('the writer thread writes the bytes the apiserver thread writes, and a string backend gets the same lines', async () => {
  const dir = fresh();
  const strings: string[] = [];
  const backend: AuditBackend = { write: (l) => void strings.push(l), errors: 0, flush: async () => {}, close: async () => {} };
  const sinks: [string, AuditSink][] = [
    ['thread.log', new AuditWriterThread({ path: join(dir, 'thread.log') })],
    ['inline.log', new AuditLog({ path: join(dir, 'inline.log') })],
  ];
  for (const [, sink] of sinks) {
    const a = new Auditor(policy, sink, clock());
    traffic(a, 300);
    await a.close();
  }
  const s = new Auditor(policy, backend, clock());
  traffic(s, 300);
  const thread = readFileSync(join(dir, 'thread.log'));
  assert.ok(thread.equals(readFileSync(join(dir, 'inline.log'))), 'byte for byte');
  assert.is(thread.toString('utf8'), strings.join(''));
  const events = lines(join(dir, 'thread.log')).map((l) => JSON.parse(l));
  // 300 × (patch: 2 stages; configmap: RequestReceived omitted; watch: 3 stages).
  assert.is(events.length, 300 * 6);
  const cm = events.find((e) => e.auditID === 'id-0-b');
  assert.is(cm.level, 'RequestResponse');
  assert.is(cm.requestObject.data.k, 'line\nbreak \ud800 😀');
  assert.is(cm.user.username, 'admin "root"');
  assert.equal(cm.annotations, { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': 'RBAC: "0" denied', note: 'x' });
  assert.is(cm.responseStatus.reason, 'Forbidden');
  assert.is(events.find((e) => e.auditID === 'id-0-c' && e.stage === 'Panic').impersonatedUser.username, 'bob');
});

test('a file gets a writer thread only where there are cores for it; two or fewer, and the apiserver thread writes it', async () => {
  const dir = fresh();
  const few = auditLog({ path: join(dir, 'few.log') }, WRITER_THREAD_MIN_CPUS - 1);
  const many = auditLog({ path: join(dir, 'many.log') }, WRITER_THREAD_MIN_CPUS);
  try {
    assert.instance(few, AuditLog);
    assert.instance(many, AuditWriterThread);
    assert.ok((many as AuditWriterThread).thread, 'a live thread');
  } finally {
    await few.close();
    await many.close();
  }
  assert.is((many as AuditWriterThread).thread, null, 'closed, the thread is gone');
});

test('close resolves once every event is in the file; the thread is gone after it', async () => {
  const dir = fresh();
  const sink = new AuditWriterThread({ path: join(dir, 'audit.log') });
  const a = new Auditor(policy, sink, clock());
  traffic(a, 2000);
  await a.close();
  assert.is(lines(join(dir, 'audit.log')).length, 2000 * 6);
  assert.is(sink.thread, null);
  assert.is(sink.errors, 0);
});

for (const [writer, sink] of [
  ['the writer thread', (path: string) => new AuditWriterThread({ path, maxSizeMB: 1 })],
  // This thread's log queues the lines where its decoder put them: a rotation falls between two lines of one chunk.
  ['the apiserver thread', (path: string) => new AuditLog({ path, maxSizeMB: 1 })],
] as const) test(`${writer} rotates the file past --audit-log-maxsize; every line once, whole`, async () => {
  const dir = fresh();
  const a = new Auditor(policy, sink(join(dir, 'audit.log')), clock());
  // Rotated files are named to the millisecond (as lumberjack's): the parts are written apart in time, so no two rotations share a name.
  for (let part = 0; part < 6; part++) {
    traffic(a, 170, part * 170);
    await a.flush();
    await new Promise((r) => setTimeout(r, 5));
  }
  await a.close();
  const files = readdirSync(dir).sort();
  assert.ok(files.length >= 4, files.join(' '));
  assert.is(files.at(-1), 'audit.log');
  assert.ok(files.slice(0, -1).every((f) => /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/.test(f)), files.join(' '));
  for (const f of files) assert.ok(readFileSync(join(dir, f)).length <= 1024 * 1024, f);
  const all = files.flatMap((f) => lines(join(dir, f)).map((l) => `${JSON.parse(l).auditID} ${JSON.parse(l).stage}`));
  assert.is(all.length, 6 * 170 * 6);
  assert.is(new Set(all).size, all.length, 'no line twice');
});

test('a hand-over whose lines are more than the log may buffer is written whole: the thread waits for the disk, it drops nothing', async () => {
  const dir = fresh();
  const metadata = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n');
  // 1 MiB: 1,500 requests encode to under that (held in this thread) and spell out to half as much again (in the writer's).
  const sink = new AuditWriterThread({ path: join(dir, 'audit.log'), maxBufferedBytes: 1024 * 1024 });
  const a = new Auditor(metadata, sink, clock());
  for (let i = 0; i < 1500; i++) {
    const pod = `web-${i.toString(36)}`;
    const r = a.begin({ auditID: `id-${i}`, attrs: attrs(node, 'patch', 'pods', '', 'default', pod), requestURI: `/api/v1/namespaces/default/pods/${pod}/status`, sourceIPs: [] })!;
    r.requestObject({ metadata: { uid: `uid-${i}` } });
    r.authorized('allow');
    r.complete(200, {});
  }
  await a.close();
  const written = lines(join(dir, 'audit.log'));
  assert.ok(readFileSync(join(dir, 'audit.log')).length > 1.5 * 1024 * 1024, 'the lines are half as much again as the bound');
  assert.is(written.length, 1500 * 2);
  assert.is(sink.errors, 0);
});

test('lines past what the log may buffer are dropped whole and counted; the lines after them are written whole', async () => {
  const dir = fresh();
  const metadata = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n');
  const log = new AuditLog({ path: join(dir, 'audit.log'), maxBufferedBytes: 64 * 1024, report: () => {} });
  const a = new Auditor(metadata, log, clock());
  const request = (i: number) => {
    const r = a.begin({ auditID: `id-${i}`, attrs: attrs(node, 'get', 'pods', '', 'default', `web-${i}`), requestURI: `/api/v1/namespaces/default/pods/web-${i}`, sourceIPs: [] })!;
    r.authorized('allow');
    r.complete(200, {});
  };
  // One hand-over of 1,000 requests: the lines past 64 KiB find the log full (nothing is written within a turn).
  for (let i = 0; i < 1000; i++) request(i);
  await a.flush();
  const dropped = log.errors;
  assert.ok(dropped > 0 && dropped < 2000, `${dropped} dropped`);
  // 30 requests' lines fit.
  for (let i = 1000; i < 1030; i++) request(i);
  await a.close();
  const written = lines(join(dir, 'audit.log')).map((l) => JSON.parse(l));
  assert.is(log.errors, dropped);
  assert.is(written.length, 2060 - dropped);
  assert.equal(written.slice(-60).map((e) => e.auditID), [...Array(30).keys()].flatMap((i) => [`id-${1000 + i}`, `id-${1000 + i}`]));
  const ids = written.map((e) => Number(e.auditID.slice(3)));
  assert.ok(ids.every((id, k) => k === 0 || id >= ids[k - 1]!), 'in order');
});

test('a writer thread that dies is reported once; the apiserver thread writes on and no event is lost', async () => {
  const dir = fresh();
  const reports: string[] = [];
  const sink = new AuditWriterThread({ path: join(dir, 'audit.log'), report: (m) => reports.push(m) });
  const a = new Auditor(policy, sink, clock());
  traffic(a, 500, 0);
  await a.flush();
  traffic(a, 500, 500);
  // Killed with events handed over and not yet written, and more coming in the same turn.
  await sink.thread!.terminate();
  traffic(a, 500, 1000);
  await a.flush();
  traffic(a, 500, 1500);
  await a.close();
  assert.is(reports.length, 1, reports.join('\n'));
  assert.match(reports[0]!, "audit: the audit log's writer thread stopped");
  const ids = new Set(lines(join(dir, 'audit.log')).map((l) => `${JSON.parse(l).auditID} ${JSON.parse(l).stage}`));
  assert.is(ids.size, 2000 * 6, 'every event at least once');
  assert.is(sink.errors, 0);
});

test.after(() => rmSync(root, { recursive: true, force: true }));

test.run();
