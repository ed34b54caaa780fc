/**
 * A component's bus request at Metadata is written by BusRecord, one template line per event;
 * every other request by AuditRecord. The lines must be the same bytes: each request here runs
 * through two BusAudits — one whose policy lets BusRecord write (no rule names objects), one
 * whose policy decides alike but names an object in a rule that never matches, so AuditRecord
 * writes everything — and their logs are compared line by line, audit IDs masked. The shapes
 * cover verbs, scopes, subresources, names JSON must escape and URIs must encode, bodies filling
 * the objectRef, errors, annotations, panics, omitted stages, a None rule, the limit of
 * fragments, and a log read by a decoder that starts late.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePolicy } from '../../../../api/audit/policy.ts';
import { Auditor, AuditRecord } from '../../../../actors/apiserver/audit/auditor.ts';
import { BusAudit } from '../../../../actors/apiserver/audit/bus.ts';
import { BusRecord } from '../../../../actors/apiserver/audit/bus-record.ts';
import { AUDIT_FRAGMENTS, F } from '../../../../actors/apiserver/audit/record.ts';
import { ABSENT, AuditDecoder, AuditEncoder, AuditId, HOLE, RAW_STRING } from '../../../../actors/apiserver/audit/wire.ts';
import { AuditLog, type AuditBackend, type AuditSink } from '../../../../actors/apiserver/audit/log.ts';
import { DirectEncoder } from '../../../../actors/apiserver/audit/direct.ts';
import { userForAddress } from '../../../../actors/apiserver/identity.ts';
import type { RequestVerb } from '../../../../actors/apiserver/node-authorizer.ts';
import type { Envelope } from '../../../../base/envelope.ts';
import type { Result } from '../../../../base/status.ts';
import type { Clock } from '../../../../base/clock.ts';
import { microTime } from '../../../../api/time.ts';

/** Rules after `prefix`: Metadata for all but Events (None), and for `secrets` too (they are logged at Metadata at most). */
const RULES = `- level: None
  resources: [{group: "events.k8s.io"}]
- level: Metadata
`;
/** The same decisions with a rule naming an object (that matches nothing): AuditRecord writes every line. */
const NAMING = `- level: None
  resources: [{group: "nothing.example", resources: [things], resourceNames: [never]}]
`;
const policy = (extra = '', omit = '') => parsePolicy(`apiVersion: audit.k8s.io/v1\nkind: Policy\n${omit}rules:\n${extra}${RULES}`);

type Req = { from: string; type: string; verb: RequestVerb; target: Record<string, string | undefined>; body?: unknown; result: Result<unknown>; panic?: string; forbid?: string; started?: boolean };

/** A clock 1.25 ms on at each reading, from the same start for every log. */
const clock = (): Clock => {
  let t = Date.parse('2026-12-06T22:00:00Z');
  return { now: () => (t += 1.25), setTimeout: () => 0, clearTimeout: () => {} } as unknown as Clock;
};

/**
 * Runs the requests through `bus` as the apiserver's dispatch does — an allowed request with
 * nothing else to record is completed from what `begin` gave, the others through their record —;
 * returns how many were written from a kind's shape (without an AuditRecord).
 */
function drive(bus: BusAudit, clk: Clock, reqs: readonly Req[], reason?: string): number {
  let compact = 0;
  for (const q of reqs) {
    const payload = { target: q.target, ...(q.body === undefined ? {} : q.type === 'api.patch' ? { patch: q.body } : q.type === 'api.delete' ? { options: q.body } : { object: q.body }) };
    const env = { seq: 0, from: q.from, to: 'apiserver', type: q.type, payload, corr: 'c', at: 0 } as unknown as Envelope;
    const received = clk.now();
    const start = bus.begin(env, userForAddress(q.from), q.verb, q.target.name, received);
    if (!start) continue;
    if (!(start instanceof AuditRecord)) compact++;
    if (q.forbid === undefined && reason === undefined && !q.started && q.panic === undefined) {
      bus.replied(start, received, env, q.verb, 'allow', q.result);
      continue;
    }
    const record = bus.record(start, received, env, undefined);
    record.authorized(q.forbid === undefined ? 'allow' : 'forbid', q.forbid ?? reason);
    if (q.started) record.responseStarted(200);
    if (q.panic !== undefined) record.panic(q.panic);
    bus.replied(record, received, env, q.verb, undefined, q.result);
  }
  return compact;
}

/** An Auditor writing to an array, its lines with the audit IDs masked. */
function arrayAuditor(extra: string, omit = ''): { auditor: Auditor; lines: () => string[] } {
  const out: string[] = [];
  const backend: AuditBackend = { write: (l) => void out.push(l), errors: 0, flush: async () => {}, close: async () => {} };
  return { auditor: new Auditor(policy(extra, omit), backend), lines: () => out.map(masked) };
}

const masked = (line: string): string => line.replace(/"auditID":"[0-9a-f-]{36}"/, '"auditID":"-"');

/** Both logs of the same requests, one line each per event. */
function logs(reqs: Req[], omit = ''): { compact: string[]; general: string[]; compactRecords: number } {
  const compact = arrayAuditor('', omit);
  const c = clock();
  const compactRecords = drive(new BusAudit(compact.auditor, c), c, reqs);
  const general = arrayAuditor(NAMING, omit);
  const g = clock();
  assert.is(drive(new BusAudit(general.auditor, g), g, reqs), 0, 'a policy that names objects leaves every line to AuditRecord');
  return { compact: compact.lines(), general: general.lines(), compactRecords };
}

const ok = (object: unknown, created = false): Result<unknown> => ({ ok: true, value: { object, ...(created ? { created } : {}) } }) as Result<unknown>;
const conflict: Result<unknown> = { ok: false, status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "p" already exists: "quoted"', reason: 'AlreadyExists', details: { name: 'p', kind: 'pods' }, code: 409 } } as unknown as Result<unknown>;
const pods = (namespace?: string, name?: string, subresource?: string) => ({ group: '', version: 'v1', resource: 'pods', namespace, name, subresource });
const meta = (m: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: m });

/** Density's requests and their neighbours: every verb BusRecord writes, each scope, the usual bodies. */
function shapes(): Req[] {
  const out: Req[] = [];
  const odd = ['plain-name', 'with.dots_and~tilde', 'q"uote', 'back\\slash', 'sp ace/slash', 'uni\u00e9', 'lone\ud800', 'ctl\u0001', '', 'paren(s)', "it's!*"];
  for (const name of odd) {
    out.push({ from: 'controller.replicaset', type: 'api.create', verb: 'create', target: pods('default'), body: meta({ name, namespace: 'default' }), result: ok(meta({ name }), true) });
    out.push({ from: 'scheduler', type: 'api.create', verb: 'create', target: pods('default', name, 'binding'), body: { kind: 'Binding', metadata: { name, uid: `u-${name}` } }, result: ok({ kind: 'Binding' }, true) });
    out.push({ from: 'kubelet.node-1', type: 'api.patch', verb: 'patch', target: pods('default', name, 'status'), body: { metadata: { uid: 'u-1' }, status: {} }, result: ok(meta({ name })) });
    out.push({ from: 'kubelet.node-2', type: 'api.get', verb: 'get', target: pods(name, name), result: ok(meta({ name })) });
  }
  out.push({ from: 'kubelet.node-1', type: 'api.update', verb: 'update', target: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-node-lease', name: 'node-1' }, body: { metadata: { name: 'node-1', uid: 'l-1', resourceVersion: '42' } }, result: ok({}) });
  out.push({ from: 'kubelet.node-1', type: 'api.patch', verb: 'patch', target: { group: '', version: 'v1', resource: 'nodes', name: 'node-1', subresource: 'status' }, body: { status: {} }, result: ok({}) });
  // A cluster-scoped create whose body names a namespace: the objectRef takes it, as fillRefFromObject does.
  out.push({ from: 'controller.node-lifecycle', type: 'api.create', verb: 'create', target: { group: '', version: 'v1', resource: 'nodes' }, body: { metadata: { name: 'n', namespace: 'odd"ns' } }, result: ok({}, true) });
  out.push({ from: 'controller.deployment', type: 'api.update', verb: 'update', target: { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default', name: 'd', subresource: 'scale' }, body: { metadata: { resourceVersion: '7' } }, result: ok({}) });
  out.push({ from: 'controller.garbage-collector', type: 'api.delete', verb: 'delete', target: pods('default', 'gone'), body: { propagationPolicy: 'Background' }, result: ok({}) });
  out.push({ from: 'controller.replicaset', type: 'api.create', verb: 'create', target: pods('default'), body: meta({ name: 'p' }), result: conflict });
  out.push({ from: 'controller.replicaset', type: 'api.create', verb: 'create', target: pods('odd ns"'), body: meta({ generateName: 'x-' }), result: ok({}, true) });
  out.push({ from: 'scheduler', type: 'api.create', verb: 'create', target: pods('default', 'p', 'binding'), forbid: 'no RBAC policy matched', result: { ok: false, status: { kind: 'Status', status: 'Failure', reason: 'Forbidden', message: 'forbidden', code: 403 } } as unknown as Result<unknown> });
  out.push({ from: 'kubelet.node-1', type: 'api.get', verb: 'get', target: { group: '', version: 'v1', resource: 'secrets', namespace: 'default', name: 's' }, result: ok({ kind: 'Secret', data: { p: 'c2VjcmV0' } }) });
  out.push({ from: 'kubelet.node-1', type: 'api.patch', verb: 'patch', target: pods('default', 'p', 'status'), panic: 'boom "x"', result: ok({}) });
  out.push({ from: 'kubelet.node-1', type: 'api.update', verb: 'update', target: pods('default', 'p'), started: true, body: meta({ uid: 'u', resourceVersion: '3' }), result: ok({}) });
  // Events are None: neither log has them.
  out.push({ from: 'kubelet.node-1', type: 'api.create', verb: 'create', target: { group: 'events.k8s.io', version: 'v1', resource: 'events', namespace: 'default' }, body: {}, result: ok({}, true) });
  // Lists and namespaces are AuditRecord's on both sides.
  out.push({ from: 'controller.namespace', type: 'api.get', verb: 'get', target: { group: '', version: 'v1', resource: 'namespaces', name: 'default' }, result: ok({}) });
  out.push({ from: 'scheduler', type: 'api.list', verb: 'list', target: pods('default'), result: ok({ items: [] }) });
  return out;
}

test('BusRecord writes the lines AuditRecord writes, for every shape of request', () => {
  const reqs = shapes();
  const { compact, general, compactRecords } = logs(reqs);
  assert.ok(compactRecords >= reqs.length - 4, `BusRecord wrote most requests (${compactRecords} of ${reqs.length})`);
  assert.is(compact.length, general.length);
  for (let i = 0; i < general.length; i++) assert.is(compact[i], general[i], `line ${i}`);
  for (const l of compact) JSON.parse(l);
  assert.not.ok(compact.some((l) => l.includes('events.k8s.io')), 'the None rule holds');
  assert.not.ok(compact.some((l) => l.includes('c2VjcmV0')), 'a Secret at Metadata carries no data');
});

test('with RequestReceived omitted by the policy, each request has its later events only, alike on both paths', () => {
  const reqs = shapes();
  const { compact, general } = logs(reqs, 'omitStages: [RequestReceived]\n');
  assert.equal(compact, general);
  assert.not.ok(compact.some((l) => l.includes('"stage":"RequestReceived"')));
  assert.ok(compact.length >= reqs.length - 3);
});

test("a request's later event copies its first one's line, or writes it afresh once other requests' lines filled that buffer", () => {
  const run = (extra: string) => {
    const a = arrayAuditor(extra);
    const c = clock();
    const bus = new BusAudit(a.auditor, c);
    const env = (name: string) => ({ seq: 0, from: 'kubelet.node-1', to: 'apiserver', type: 'api.get', payload: { target: pods('default', name) }, corr: 'c', at: 0 }) as unknown as Envelope;
    const user = userForAddress('kubelet.node-1');
    const early = env('early');
    // Made at once, as a record of a watch is: it stays open while other requests are written.
    const at = c.now();
    const first = bus.record(bus.begin(early, user, 'get', 'early', at)!, at, early, 'allow');
    // Megabytes of other requests' lines: the encoder moves on to new buffers meanwhile.
    for (let i = 0; i < 600; i++) {
      const other = env(`${'x'.repeat(2000)}-${i}`);
      const received = c.now();
      bus.replied(bus.begin(other, user, 'get', `${'x'.repeat(2000)}-${i}`, received)!, received, other, 'get', 'allow', ok({}));
    }
    bus.replied(first, at, early, 'get', undefined, ok({}));
    return a.lines();
  };
  const compact = run('');
  assert.equal(compact, run(NAMING));
  const mine = compact.filter((l) => l.includes('"requestURI":"/api/v1/namespaces/default/pods/early"')).map((l) => JSON.parse(l));
  assert.equal(mine.map((e) => [e.stage, e.objectRef.name, e.responseStatus?.code, e.annotations?.['authorization.k8s.io/decision']]), [
    ['RequestReceived', 'early', undefined, undefined],
    ['ResponseComplete', 'early', 200, 'allow'],
  ]);
  assert.is(compact.length, 2 + 1200);
});

test('past the limit of fragments a kind of request still gets its line, spelled out in this thread', () => {
  const reqs = shapes();
  // The scheduler's first request defines its user's fragment; then the table fills, so the binding's template cannot be defined.
  const get: Req = { from: 'scheduler', type: 'api.get', verb: 'get', target: pods('default', 'p'), result: ok({}) };
  const run = (extra: string) => {
    const a = arrayAuditor(extra);
    const c = clock();
    const bus = new BusAudit(a.auditor, c);
    let compactRecords = drive(bus, c, [get]);
    for (let i = 0; a.auditor.emitter.enc.id(`,"filler":${i}`) >= 0; i++);
    compactRecords += drive(bus, c, [reqs[1]!, reqs[1]!], 'a reason not seen before');
    return { lines: a.lines(), compactRecords };
  };
  const compact = run('');
  const general = run(NAMING);
  assert.is(compact.compactRecords, 3);
  assert.equal(compact.lines, general.lines);
  const binding = JSON.parse(compact.lines[3]!);
  assert.equal(binding.objectRef, { resource: 'pods', namespace: 'default', name: 'plain-name', uid: 'u-plain-name', apiVersion: 'v1', subresource: 'binding' });
  assert.equal(binding.annotations, { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'a reason not seen before' });
});

test('lines spelled as the request path writes them (this thread writes the log) are the bytes a writer thread spells from the encoded ops', async () => {
  // A sink that is not the file log gets the encoded ops (as the writer thread does) and spells them with the decoder.
  const decoded: string[] = [];
  let decoder: AuditDecoder | null = null;
  const sink: AuditSink = {
    send: (batches, definitions) => {
      decoder ??= new AuditDecoder(definitions, true);
      for (const b of batches) decoder.decode(b, (bytes, start, end) => void decoded.push(bytes.toString('utf8', start, end)));
    },
    errors: 0,
    flush: async () => {},
    close: async () => {},
  };
  const viaOps = new Auditor(policy(), sink);
  const direct = arrayAuditor('');
  assert.not.ok(viaOps.emitter.enc instanceof DirectEncoder);
  assert.ok(direct.auditor.emitter.enc instanceof DirectEncoder);
  // Megabytes of lines, so both move on to new chunks (a line begun in one ends in the next), lists and impersonation among them.
  const reqs = Array.from({ length: 400 }, (_, i) => shapes().map((q) => ({ ...q, target: { ...q.target, name: q.target.name === undefined ? undefined : `${q.target.name}-${'n'.repeat(i % 97)}` } }))).flat();
  for (const [auditor, c] of [[viaOps, clock()], [direct.auditor, clock()]] as const) {
    drive(new BusAudit(auditor, c), c, reqs);
    const r = auditor.begin({ attrs: { user: { username: 'alice', groups: ['g'] }, verb: 'list', resource: { group: '', version: 'v1', resource: 'pods', namespace: 'ns\u00e9' }, path: '/api/v1/namespaces/ns/pods' }, requestURI: '/api/v1/namespaces/ns/pods?limit=5', sourceIPs: ['127.0.0.1'], userAgent: 'kubectl/v1.32.0', received: c.now() }, c.now)!;
    r.impersonated({ username: 'bob', groups: ['system:authenticated'] });
    r.authorized('allow', 'RBAC: allowed by ClusterRoleBinding "x"');
    r.complete(200);
  }
  await viaOps.flush();
  assert.ok(decoded.length > 10_000);
  assert.equal(direct.lines(), decoded.map(masked));
});

test('the file log holds the same lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-bus-record-'));
  try {
    const reqs = shapes();
    const file = join(dir, 'audit.log');
    const auditor = new Auditor(policy(), new AuditLog({ path: file }));
    const c = clock();
    drive(new BusAudit(auditor, c), c, reqs);
    await auditor.close();
    assert.equal(readFileSync(file, 'utf8').split(/(?<=\n)/).map(masked), logs(reqs).compact);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a decoder given the table of fragments reads template lines from the middle of the stream', () => {
  const enc = new AuditEncoder(AUDIT_FRAGMENTS);
  const tpl = enc.id(`{"a":${HOLE.id},"u":${HOLE.user}${HOLE.stage}"/x/${HOLE.uriName}","n":${HOLE.name}${HOLE.status},"t":${HOLE.received}${HOLE.annotations}}\n`);
  const user = enc.id('{"username":"u"}');
  const id = AuditId.random();
  const line = (name: string) => {
    enc.line(tpl, id.pool, id.at, user, F.stage.ResponseComplete, 0, 0, RAW_STRING, ',"s":1', ABSENT, null, `${name} /`, undefined, name, undefined, undefined);
    enc.end();
  };
  line('first');
  const early = enc.take();
  line('sec"ond');
  const later = enc.take();
  const read = (d: AuditDecoder, batches: typeof later) => {
    const out: string[] = [];
    for (const b of batches) d.decode(b, (bytes, start, end) => out.push(bytes.toString('utf8', start, end)));
    return out;
  };
  const whole = new AuditDecoder();
  read(whole, early);
  const fromStart = read(whole, later);
  assert.equal(read(new AuditDecoder(enc.definitions), later), fromStart);
  assert.equal(JSON.parse(fromStart[0]!), { a: id.toString(), u: { username: 'u' }, stage: 'ResponseComplete', requestURI: '/x/sec%22ond%20%2F', n: 'sec"ond', s: 1, t: '1970-01-01T00:00:00.000000Z' });
});

test("a decoder writes each time as microTime spells it: repeated, a new millisecond, a new second, fractions, a year past 9999", () => {
  const enc = new AuditEncoder();
  const base = Date.parse('2026-12-08T00:59:59.998Z');
  const times = [base, base, base + 1, base + 1.2345, base + 2, base + 2, base + 1000.5, base, 253402300800000, 253402300800000, base];
  for (const t of times) {
    enc.time(t);
    enc.end();
  }
  const out: string[] = [];
  const d = new AuditDecoder();
  for (const b of enc.take()) d.decode(b, (bytes, start, end) => out.push(bytes.toString('utf8', start, end)));
  assert.equal(out, times.map((t) => `"${microTime(t)}"`));
});

test.run();
