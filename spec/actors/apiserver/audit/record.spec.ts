/**
 * One request's audit record through the Auditor: the fields each level gives, the Secret
 * rule for bodies that hold Secrets (lists too), impersonation, the Panic stage, omitted
 * stages, and the event counters /metrics shows. The backend is an array: the file backend
 * has its own spec (log.spec.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePolicy } from '../../../../api/audit/policy.ts';
import type { AuditAttributes, AuditEvent } from '../../../../api/audit/types.ts';
import { Auditor } from '../../../../actors/apiserver/audit/auditor.ts';
import type { AuditBackend } from '../../../../actors/apiserver/audit/log.ts';

const policy = parsePolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: RequestResponse
  resources: [{group: "", resources: [secrets]}]
  namespaces: [named]
- level: RequestResponse
  resources: [{group: ""}]
  omitStages: [RequestReceived]
- level: Metadata
`);

function auditor(): { a: Auditor; events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  const backend: AuditBackend = { write: (l) => void events.push(JSON.parse(l)), errors: 0, flush: async () => {}, close: async () => {} };
  let t = Date.parse('2026-12-04T15:00:00.000Z');
  return { a: new Auditor(policy, backend, () => (t += 1.5)), events };
}
const admin = { username: 'admin', groups: ['system:masters'] };
const attrs = (resource: string, namespace: string, verb = 'list'): AuditAttributes => ({ user: admin, verb, resource: { group: '', version: 'v1', resource, namespace }, path: `/api/v1/namespaces/${namespace}/${resource}` });
const start = (x: AuditAttributes) => ({ attrs: x, requestURI: x.path, sourceIPs: ['127.0.0.1'] });

test('a body listing Secrets under a rule that does not name them is not logged, and the request drops to Metadata', () => {
  const { a, events } = auditor();
  const r = a.begin(start(attrs('configmaps', 'default')))!;
  r.complete(200, { kind: 'List', apiVersion: 'v1', items: [{ kind: 'Secret', apiVersion: 'v1', data: { p: 'c2VjcmV0' } }] });
  assert.is(events.length, 1);
  assert.is(events[0]!.level, 'Metadata');
  assert.is(events[0]!.responseObject, undefined);
  assert.not.ok(JSON.stringify(events).includes('c2VjcmV0'));
  const plain = a.begin(start(attrs('configmaps', 'default')))!;
  plain.complete(200, { kind: 'ConfigMapList', apiVersion: 'v1', items: [] });
  assert.is(events[1]!.level, 'RequestResponse');
  assert.equal(events[1]!.responseObject, { kind: 'ConfigMapList', apiVersion: 'v1', items: [] });
});

test('secrets are logged whole where the rule names them; elsewhere at Metadata', () => {
  const { a, events } = auditor();
  a.begin(start(attrs('secrets', 'named')))!.complete(200, { kind: 'SecretList', apiVersion: 'v1', items: [] });
  a.begin(start(attrs('secrets', 'other')))!.complete(200, { kind: 'SecretList', apiVersion: 'v1', items: [] });
  assert.equal(events.map((e) => [e.stage, e.level, e.responseObject !== undefined]), [
    ['RequestReceived', 'RequestResponse', false],
    ['ResponseComplete', 'RequestResponse', true],
    ['ResponseComplete', 'Metadata', false],
  ]);
});

test('impersonation, annotations, a panic, and microsecond timestamps; the counters', () => {
  const { a, events } = auditor();
  const r = a.begin({ ...start({ user: admin, verb: 'get', path: '/apis' }), userAgent: 'kubectl/v1.32.4', auditID: 'id-1' })!;
  r.impersonated({ username: 'jane', groups: ['dev'] });
  r.authorized('forbid', 'no rule allows it');
  r.panic('boom');
  r.complete(500);
  assert.equal(events.map((e) => e.stage), ['RequestReceived', 'Panic']);
  const p = events[1]!;
  assert.equal(p.user, admin);
  assert.equal(p.impersonatedUser, { username: 'jane', groups: ['dev'] });
  assert.equal(p.annotations, { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': 'no rule allows it' });
  assert.equal(p.responseStatus, { metadata: {}, status: 'Failure', reason: 'InternalError', message: "APIServer panic'd: boom", code: 500 });
  assert.is(p.requestReceivedTimestamp, '2026-12-04T15:00:00.001500Z');
  assert.is(p.stageTimestamp, '2026-12-04T15:00:00.003000Z');
  assert.is(JSON.stringify(p).indexOf('"impersonatedUser"') < JSON.stringify(p).indexOf('"sourceIPs"'), true, "Kubernetes' field order");
  const metrics = a.renderMetrics();
  assert.match(metrics, /^apiserver_audit_event_total 2$/m);
  assert.match(metrics, /^apiserver_audit_level_total\{level="Metadata"\} 1$/m);
  assert.match(metrics, /^apiserver_audit_error_total\{plugin="log"\} 0$/m);
});

/** audit.k8s.io/v1 Event's fields in the order Kubernetes writes them. */
const EVENT_ORDER = ['kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'user', 'impersonatedUser', 'sourceIPs', 'userAgent', 'objectRef', 'responseStatus', 'requestObject', 'responseObject', 'requestReceivedTimestamp', 'stageTimestamp', 'annotations'];
const STATUS_ORDER = ['metadata', 'code', 'status', 'message', 'reason', 'details'];
const ordered = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

test('each line is the Event as JSON in Kubernetes\' field order; annotations made between stages reach the later events only', () => {
  const lines: string[] = [];
  const backend: AuditBackend = { write: (l) => void lines.push(l), errors: 0, flush: async () => {}, close: async () => {} };
  const a = new Auditor(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n'), backend, () => Date.parse('2026-12-04T15:00:00.000Z'));
  const pods = { user: admin, verb: 'create', resource: { group: '', version: 'v1', resource: 'pods', namespace: 'x"y' }, path: '/api/v1/namespaces/x%22y/pods' };
  const r = a.begin({ ...start(pods), userAgent: 'kubectl/v1.32.4 "quoted"', auditID: 'id\u00e9' })!;
  r.requestObject({ metadata: { name: 'p\u2028' } });
  r.authorized('allow', 'RBAC: allowed');
  r.complete(201, { kind: 'Pod' });
  const w = a.begin({ ...start({ ...pods, verb: 'watch' }), auditID: 'id-2' })!;
  w.authorized('allow');
  w.responseStarted(200);
  w.annotate('example.com/later', 'yes');
  w.complete(409, { kind: 'Status', status: 'Failure', message: 'm "q"', reason: 'AlreadyExists', details: { name: 'p' }, code: 409 });
  assert.equal(lines.map((l) => JSON.parse(l).stage), ['RequestReceived', 'ResponseComplete', 'RequestReceived', 'ResponseStarted', 'ResponseComplete']);
  for (const l of lines) {
    const e = JSON.parse(l) as Record<string, unknown>;
    if (e.responseStatus) e.responseStatus = ordered(e.responseStatus as Record<string, unknown>, STATUS_ORDER);
    assert.is(l, `${JSON.stringify(ordered(e, EVENT_ORDER))}\n`);
  }
  const events = lines.map((l) => JSON.parse(l) as AuditEvent);
  assert.is(events[0]!.annotations, undefined);
  assert.equal(events[1]!.annotations, { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed' });
  assert.equal(events[1]!.objectRef, { resource: 'pods', namespace: 'x"y', name: 'p\u2028', apiVersion: 'v1' });
  assert.equal(events[1]!.responseStatus, { metadata: {}, code: 201 });
  assert.equal(events[3]!.annotations, { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' });
  assert.equal(events[4]!.annotations, { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '', 'example.com/later': 'yes' });
  assert.equal(events[4]!.responseStatus, { metadata: {}, code: 409, status: 'Failure', message: 'm "q"', reason: 'AlreadyExists', details: { name: 'p' } });
});

test('strings JSON must escape are written as JSON.stringify writes them: quotes, backslashes, controls, lone surrogates; a pair as it is', () => {
  const lines: string[] = [];
  const backend: AuditBackend = { write: (l) => void lines.push(l), errors: 0, flush: async () => {}, close: async () => {} };
  const a = new Auditor(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n'), backend, () => Date.parse('2026-12-04T15:00:00.000Z'));
  for (const odd of ['a\\b', 'tab\there', 'nl\n', 'lone\ud800', 'pair\ud83d\ude00', 'del\u007f', 'q"']) {
    const x = { user: { username: odd, groups: [odd] }, verb: 'get', resource: { group: odd, version: 'v1', resource: 'pods', namespace: odd, name: odd, subresource: odd }, path: `/p/${odd}` };
    a.begin({ ...start(x), userAgent: odd, auditID: odd })!.complete(200);
  }
  for (const l of lines) {
    const e = JSON.parse(l) as Record<string, unknown>;
    assert.is(l, `${JSON.stringify(ordered(e, EVENT_ORDER))}\n`);
  }
  assert.is(JSON.parse(lines[6]!).objectRef.name, 'lone\ud800');
});

test('a request without an audit ID gets a random version-4 UUID, the same in each of its events and as the record reads it', () => {
  const lines: string[] = [];
  const backend: AuditBackend = { write: (l) => void lines.push(l), errors: 0, flush: async () => {}, close: async () => {} };
  const a = new Auditor(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n'), backend, () => Date.parse('2026-12-04T15:00:00.000Z'));
  const ids = new Set<string>();
  // Past one pool of random IDs (256), so a new pool's IDs are checked too.
  for (let i = 0; i < 300; i++) {
    const r = a.begin(start(attrs('pods', 'default', 'get')))!;
    r.complete(200);
    const [received, complete] = lines.splice(0).map((l) => JSON.parse(l) as AuditEvent);
    assert.match(received!.auditID, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.is(complete!.auditID, received!.auditID);
    assert.is(r.auditID, received!.auditID);
    ids.add(r.auditID);
  }
  assert.is(ids.size, 300);
});

test("a request's later events repeat its first one's fields, also once other requests' lines filled the buffer it was written into", () => {
  const lines: string[] = [];
  const backend: AuditBackend = { write: (l) => void lines.push(l), errors: 0, flush: async () => {}, close: async () => {} };
  const a = new Auditor(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n'), backend, () => Date.parse('2026-12-04T15:00:00.000Z'));
  const jane = { username: 'jane', groups: ['dev'] };
  const watch = a.begin({ ...start({ user: jane, verb: 'watch', resource: { group: '', version: 'v1', resource: 'pods', namespace: 'default' }, path: '/api/v1/namespaces/default/pods' }), requestURI: '/api/v1/namespaces/default/pods?watch=true', userAgent: 'kubectl/v1.32.4' })!;
  watch.responseStarted(200);
  // Some megabytes of other requests' lines: the encoder moves on to new buffers meanwhile.
  const long = 'x'.repeat(2000);
  for (let i = 0; i < 1500; i++) a.begin(start({ ...attrs('pods', 'default', 'get'), path: `/api/v1/namespaces/default/pods/${long}${i}` }))!.complete(200);
  watch.complete(200);
  const mine = lines.map((l) => JSON.parse(l) as AuditEvent).filter((e) => e.auditID === watch.auditID);
  assert.equal(mine.map((e) => e.stage), ['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
  for (const e of mine) {
    assert.equal([e.requestURI, e.verb, e.user, e.sourceIPs, e.userAgent], ['/api/v1/namespaces/default/pods?watch=true', 'watch', jane, ['127.0.0.1'], 'kubectl/v1.32.4']);
  }
  assert.is(lines.length, 3 + 3000);
});

test('an objectRef the body fills in after the first event is written in full by every later event', () => {
  const lines: string[] = [];
  const backend: AuditBackend = { write: (l) => void lines.push(l), errors: 0, flush: async () => {}, close: async () => {} };
  const a = new Auditor(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n'), backend, () => Date.parse('2026-12-04T15:00:00.000Z'));
  const filled = a.begin(start(attrs('pods', 'default', 'update')))!;
  filled.requestObject({ metadata: { name: 'p', uid: 'u-1', resourceVersion: '7' } });
  filled.responseStarted(200);
  filled.complete(200);
  const plain = a.begin(start(attrs('pods', 'default', 'update')))!;
  plain.requestObject({ metadata: {} });
  plain.responseStarted(200);
  plain.complete(200);
  const refs = lines.map((l) => (JSON.parse(l) as AuditEvent).objectRef);
  const bare = { resource: 'pods', namespace: 'default', apiVersion: 'v1' };
  const full = { resource: 'pods', namespace: 'default', name: 'p', uid: 'u-1', apiVersion: 'v1', resourceVersion: '7' };
  assert.equal(refs, [bare, full, full, bare, bare, bare]);
});

test('each later event writes the objectRef as filled so far, whichever fields the bodies filled and in whatever order, also after its buffer was left', () => {
  const lines: string[] = [];
  const backend: AuditBackend = { write: (l) => void lines.push(l), errors: 0, flush: async () => {}, close: async () => {} };
  const a = new Auditor(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n'), backend, () => Date.parse('2026-12-04T15:00:00.000Z'));
  type Ref = Record<string, string | undefined>;
  // ObjectReference's JSON as Kubernetes writes it: its fields in order, the empty ones left out.
  const json = (r: Ref) => JSON.stringify(Object.fromEntries(['resource', 'namespace', 'name', 'uid', 'apiGroup', 'apiVersion', 'resourceVersion', 'subresource'].filter((k) => r[k]).map((k) => [k, r[k]])));
  const fill = (r: Ref, m: Ref) => {
    for (const k of ['namespace', 'name', 'uid', 'resourceVersion']) if (!r[k] && m[k]) r[k] = m[k];
  };
  const bodies: Ref[] = [{ namespace: 'ns-b' }, { name: 'n-1' }, { uid: 'u-1' }, { resourceVersion: '9' }, { name: 'n-2', uid: 'u-2' }, { namespace: 'ns-c', resourceVersion: '4' }, {}];
  const third: Ref = { uid: 'u-3', resourceVersion: '11' };
  let cases = 0;
  for (const namespace of ['default', undefined]) {
    for (const name of ['given', undefined]) {
      for (const [group, sub] of [['', undefined], ['apps', 'status']] as const) {
        for (const first of bodies) {
          for (const second of bodies) {
            // Leaving the buffer behind takes a megabyte of other lines: tried for the usual shape (a create's) only.
            for (const away of namespace && !name ? [false, true] : [false]) {
              lines.length = 0;
              const path = `/apis/x/${cases++}`;
              const r = a.begin({ attrs: { user: admin, verb: 'update', resource: { group, version: 'v1', resource: 'things', namespace, name, subresource: sub }, path }, requestURI: path, sourceIPs: [] })!;
              const expected: Ref = { resource: 'things', namespace, name, apiGroup: group || undefined, apiVersion: 'v1', subresource: sub };
              const want = [json(expected)];
              // Two bodies before the next line: it copies only the fields neither filled.
              r.requestObject({ metadata: first });
              fill(expected, first);
              r.requestObject({ metadata: second });
              fill(expected, second);
              // Other requests' lines filling the buffer: the request's first line is in a buffer left behind.
              if (away) for (let i = 0; i < 300; i++) a.begin(start({ ...attrs('pods', 'default', 'get'), path: `/api/v1/pods/${'x'.repeat(2000)}` }))!.complete(200);
              r.responseStarted(200);
              want.push(json(expected));
              r.requestObject({ metadata: third });
              fill(expected, third);
              r.complete(200);
              want.push(json(expected));
              const mine = lines.filter((l) => l.includes(`"requestURI":"${path}"`));
              assert.equal(mine.map((l) => /"objectRef":(\{[^}]*\})/.exec(l)![1]), want, `${path}: ${JSON.stringify({ namespace, name, group, first, second, away })}`);
            }
          }
        }
      }
    }
  }
});

test.run();
