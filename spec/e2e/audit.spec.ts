/**
 * Issue 17, audit end to end: a real `kubeactor up` (memory storage, one sim node) with an
 * audit policy of several rules and a 1 MB rotation size, driven by the real kubectl. Every
 * request is logged once per stage its rule keeps — REST requests by the front with the
 * client's address and agent, components' bus requests by the apiserver as their own users —
 * with its user, verb, resource and response code — the apiserver's own clients (loopback.*) as
 * system:apiserver, impersonated requests with impersonatedUser (uid and extra too); the levels give their fields; Secrets are
 * never logged past Metadata unless a rule names them; the log rotates by size; the Audit-Id
 * header is the event's auditID; and a bad policy file stops `up` before it starts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { request } from 'node:https';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runCli, stopWithin, type CliProcess } from '../helpers/cli.ts';
import { eventually } from '../helpers/wait.ts';
import type { AuditEvent } from '../../api/audit/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-audit-'));
const logDir = join(dir, 'audit');
const policyFile = join(dir, 'policy.yaml');
const kubeconfig = join(dir, 'data', 'kubeconfig');
const env = { ...process.env, HOME: dir, KUBECONFIG: kubeconfig };
let up: CliProcess;

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  nonResourceURLs: ["/healthz*", "/livez*", "/readyz*"]
- level: None
  resources: [{group: coordination.k8s.io, resources: [leases]}]
- level: RequestResponse
  resources: [{group: "", resources: [configmaps]}]
  omitManagedFields: true
- level: Request
  resources: [{group: "", resources: [pods, pods/log]}]
- level: Request
  namespaces: [vault]
  resources: [{group: "", resources: [secrets]}]
- level: RequestResponse
  resources: [{group: ""}]
  omitStages: [RequestReceived]
- level: Metadata
`;

const kubectl = (args: string[], input?: string, timeout = 45_000) =>
  new Promise<{ code: number; out: string; err: string }>((resolve) => {
    const child = execFile('kubectl', ['--request-timeout=20s', ...args], { env, timeout }, (err, out, errOut) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out, err: errOut }));
    child.stdin?.end(input ?? '');
  });
const ok = async (args: string[], input?: string): Promise<string> => {
  const r = await kubectl(args, input);
  assert.is(r.code, 0, `kubectl ${args.join(' ')}: ${r.err}`);
  return r.out.trim();
};

/** Every event logged so far: the rotated files (oldest first), then the current one. */
function events(): AuditEvent[] {
  const files = readdirSync(logDir).filter((f) => f.startsWith('audit')).sort();
  return files.flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent));
}
const REST = (e: AuditEvent) => e.sourceIPs.length > 0;
/** The kubectl requests whose URI matches, by audit ID, each with its events in order. */
function requests(match: (e: AuditEvent) => boolean): AuditEvent[][] {
  const by = new Map<string, AuditEvent[]>();
  for (const e of events()) if (match(e)) by.set(e.auditID, [...(by.get(e.auditID) ?? []), e]);
  return [...by.values()];
}
const stages = (evs: AuditEvent[]) => evs.map((e) => e.stage).join(',');
const find = async (what: string, match: (e: AuditEvent) => boolean, count = 1): Promise<AuditEvent[][]> =>
  eventually(() => { const r = requests(match); return r.length >= count && r.every((evs) => evs.at(-1)!.stage === 'ResponseComplete') ? r : null; },
    { timeoutMs: 10_000, intervalMs: 100, what, detail: () => events().slice(-5) });

/** An HTTPS GET as the admin, with the cluster's CA; resolves with the status, headers and body. */
function adminGet(path: string, headers: Record<string, string> = {}): Promise<{ code: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const cfg = parseYaml(readFileSync(kubeconfig, 'utf8'));
  const url = new URL(path, cfg.clusters[0].cluster.server);
  const ca = Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64');
  return new Promise((resolve, reject) => {
    request(url, { ca, headers: { Authorization: `Bearer ${cfg.users[0].user.token}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject).end();
  });
}

test.before(async () => {
  writeFileSync(policyFile, POLICY);
  up = runCli(['up', '--data-dir', join(dir, 'data'), '--storage', 'memory', '--port', '0', '--nodes', '1', '--default-runtime', 'sim',
    '--controllers', 'serviceaccount,root-ca-cert-publisher,replicaset', '--audit-policy-file', policyFile,
    '--audit-log-path', join(logDir, 'audit.log'), '--audit-log-maxsize', '1']);
  await up.waitFor('ready.', 60_000);
  assert.match(up.output(), `audit: policy ${policyFile}, log ${join(logDir, 'audit.log')}`);
  assert.is(statSync(logDir).mode & 0o777, 0o700, 'the log\'s directory is made, private');
  assert.is(statSync(join(logDir, 'audit.log')).mode & 0o777, 0o600);
});

test('a configmap\'s create, get and delete: once per stage, with user, verb, resource and code; RequestResponse carries both bodies without managedFields', async () => {
  await ok(['create', 'configmap', 'c1', '--from-literal=k=v']);
  await ok(['get', 'configmap', 'c1', '-o', 'name']);
  await ok(['delete', 'configmap', 'c1']);
  // kubectl delete then waits for the object to be gone: a get answered 404.
  const reqs = await find('the configmap requests', (e) => REST(e) && /\/configmaps(\/c1)?(\?|$)/.test(e.requestURI), 4);
  assert.equal(reqs.map((r) => [stages(r), r[0]!.verb, r.at(-1)!.responseStatus?.code]), [
    ['RequestReceived,ResponseComplete', 'create', 201],
    ['RequestReceived,ResponseComplete', 'get', 200],
    ['RequestReceived,ResponseComplete', 'delete', 200],
    ['RequestReceived,ResponseComplete', 'get', 404],
  ]);
  const [create, , del] = reqs.map((r) => r.at(-1)!);
  assert.is(create!.level, 'RequestResponse');
  assert.equal(create!.user.username, 'kubeactor-admin');
  assert.equal(create!.sourceIPs, ['127.0.0.1']);
  assert.match(create!.userAgent ?? '', /^kubectl\//);
  assert.equal(create!.objectRef, { resource: 'configmaps', namespace: 'default', name: 'c1', apiVersion: 'v1' });
  assert.equal((create!.requestObject as { data: unknown }).data, { k: 'v' });
  const stored = create!.responseObject as { metadata: Record<string, unknown> };
  assert.ok(stored.metadata.uid, 'the stored object');
  assert.not.ok('managedFields' in stored.metadata, 'omitManagedFields');
  assert.equal(create!.annotations, { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' });
  assert.is(reqs[0]![0]!.annotations, undefined, 'RequestReceived comes before authorization');
  assert.is(del!.responseStatus?.status, 'Success');
  assert.match(create!.stageTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

test('pods at Request: the body but no answer; a failure carries its Status; logs and watches are ResponseStarted before ResponseComplete', async () => {
  await ok(['run', 'p1', '--image=nginx']);
  await ok(['wait', '--for=condition=Ready', 'pod/p1', '--timeout=30s']);
  const [create] = (await find('the pod create', (e) => REST(e) && e.verb === 'create' && e.objectRef?.resource === 'pods' && e.objectRef.name === 'p1')).map((r) => r.at(-1)!);
  assert.is(create!.level, 'Request');
  assert.is((create!.requestObject as { kind: string }).kind, 'Pod');
  assert.is(create!.responseObject, undefined);
  const missing = await kubectl(['get', 'pod', 'nope']);
  assert.is(missing.code, 1);
  const [nf] = (await find('the NotFound get', (e) => REST(e) && e.requestURI.startsWith('/api/v1/namespaces/default/pods/nope'))).map((r) => r.at(-1)!);
  assert.equal(nf!.responseStatus, { metadata: {}, status: 'Failure', message: 'pods "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'pods' }, code: 404 });
  await ok(['logs', 'p1']);
  const [logs] = await find('the log request', (e) => REST(e) && e.objectRef?.subresource === 'log');
  assert.is(stages(logs!), 'RequestReceived,ResponseStarted,ResponseComplete');
  assert.equal(logs!.map((e) => e.responseStatus?.code), [undefined, 200, 200]);
  // A watch that kubectl holds until it is stopped.
  await kubectl(['get', 'pods', '--watch', '-o', 'name'], undefined, 3000);
  const [w] = await find('the watch', (e) => REST(e) && e.verb === 'watch' && e.objectRef?.resource === 'pods');
  assert.is(stages(w!), 'RequestReceived,ResponseStarted,ResponseComplete');
  // exec upgrades to a stream: ResponseStarted with 101, complete when the stream ends (pods/exec falls to the core-group rule, which omits RequestReceived).
  assert.is(await ok(['exec', 'p1', '--', 'echo', 'hi']), 'hi');
  const [exec] = await find('the exec', (e) => REST(e) && e.objectRef?.subresource === 'exec');
  assert.is(stages(exec!), 'ResponseStarted,ResponseComplete');
  assert.equal(exec!.map((e) => e.responseStatus?.code), [101, 200]);
  assert.match(exec![0]!.requestURI, /^\/api\/v1\/namespaces\/default\/pods\/p1\/exec\?command=echo&command=hi/);
  assert.is(exec![0]!.verb, 'get', 'kubectl 1.32 asks for the WebSocket upgrade with GET');
  // Impersonated, the stream's events name who authenticated and whom it acted as.
  assert.is(await ok(['--as', 'jane', '--as-uid', 'u-jane', '--as-group', 'system:masters', 'exec', 'p1', '--', 'echo', 'as-jane']), 'as-jane');
  const [asJane] = await find('the impersonated exec', (e) => REST(e) && e.objectRef?.subresource === 'exec' && e.requestURI.includes('command=as-jane'));
  assert.equal(asJane!.map((e) => e.user.username), ['kubeactor-admin', 'kubeactor-admin']);
  assert.equal(asJane!.map((e) => e.impersonatedUser), [1, 2].map(() => ({ username: 'jane', uid: 'u-jane', groups: ['system:masters', 'system:authenticated'] })));
});

test('Secrets: at Metadata under a rule that does not name them, even a RequestResponse one; at Request where a rule names them', async () => {
  await ok(['create', 'secret', 'generic', 's1', '--from-literal=password=hunter2']);
  await ok(['get', 'secret', 's1', '-o', 'yaml']);
  await ok(['get', 'secrets']);
  await ok(['create', 'namespace', 'vault']);
  await ok(['create', 'secret', 'generic', 's2', '-n', 'vault', '--from-literal=password=named']);
  const plain = await find('the default secrets', (e) => REST(e) && e.objectRef?.resource === 'secrets' && e.objectRef.namespace === 'default', 3);
  for (const r of plain) {
    assert.is(stages(r), 'ResponseComplete', 'the core-group rule omits RequestReceived');
    assert.is(r[0]!.level, 'Metadata');
    assert.is(r[0]!.requestObject, undefined);
    assert.is(r[0]!.responseObject, undefined);
  }
  const [named] = (await find('the vault secret', (e) => REST(e) && e.objectRef?.resource === 'secrets' && e.objectRef.namespace === 'vault')).map((r) => r.at(-1)!);
  assert.is(named!.level, 'Request');
  assert.equal((named!.requestObject as { data: unknown }).data, { password: Buffer.from('named').toString('base64') });
  const text = events().map((e) => JSON.stringify(e)).join('\n');
  assert.not.ok(text.includes(Buffer.from('hunter2').toString('base64')), 'the unnamed secret\'s data is nowhere in the log');
});

test('components\' bus requests are logged once, by the apiserver, as their users; nothing the front forwarded is logged twice', async () => {
  const bound = await find('the scheduler\'s binding', (e) => e.user.username === 'system:kube-scheduler' && e.objectRef?.subresource === 'binding' && e.objectRef.name === 'p1');
  const bind = bound[0]!.at(-1)!;
  assert.equal(bind.sourceIPs, []);
  assert.is(bind.verb, 'create');
  assert.is(bind.requestURI, '/api/v1/namespaces/default/pods/p1/binding');
  assert.is(bind.responseStatus?.code, 201);
  const status = await find('a kubelet\'s pod status', (e) => e.user.username === 'system:node:node-1' && e.objectRef?.subresource === 'status' && e.objectRef.resource === 'pods');
  assert.ok(['update', 'patch'].includes(status[0]!.at(-1)!.verb));
  const all = events();
  assert.not.ok(all.some((e) => e.user.username === 'kubeactor-admin' && !REST(e)), 'no request of kubectl\'s logged by the apiserver too');
  const seen = new Set<string>();
  for (const e of all) {
    const key = `${e.auditID} ${e.stage}`;
    assert.not.ok(seen.has(key), `${key} logged twice`);
    seen.add(key);
  }
  // The control plane's own edges (the kubernetes Service's endpoints, the nodes' listing) are logged as system:apiserver.
  const endpoints = await find('the kubernetes Endpoints kept by the apiserver', (e) => e.user.username === 'system:apiserver' && e.objectRef?.resource === 'endpoints' && e.objectRef.name === 'kubernetes');
  assert.equal(endpoints[0]!.at(-1)!.user.groups, ['system:authenticated', 'system:masters']);
  assert.ok(all.some((e) => e.user.username === 'system:apiserver' && e.objectRef?.resource === 'nodes' && e.verb === 'list'), 'the nodes listed at start');
  // A component's watch is open: started, not complete.
  const watches = requests((e) => !REST(e) && e.verb === 'watch');
  assert.ok(watches.some((w) => stages(w) === 'RequestReceived,ResponseStarted'), 'an open component watch');
});

test('the apiserver\'s own clients are logged once each, as system:apiserver: the kubernetes Service\'s endpoints, the node lister', async () => {
  const loopback = (e: AuditEvent) => e.user.username === 'system:apiserver';
  const [eps] = await find('the kubernetes Endpoints', (e) => loopback(e) && e.objectRef?.resource === 'endpoints' && e.objectRef.name === 'kubernetes' && e.verb === 'create');
  const ep = eps!.at(-1)!;
  // As kube-apiserver's loopback user: a random uid per process, the same on each of its requests.
  assert.match(ep.user.uid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(ep.user, { username: 'system:apiserver', uid: ep.user.uid, groups: ['system:authenticated', 'system:masters'] });
  assert.equal(new Set(events().filter(loopback).map((e) => e.user.uid)).size, 1, 'one uid for the apiserver');
  assert.is(ep.requestURI, '/api/v1/namespaces/default/endpoints');
  assert.is(ep.responseStatus?.code, 201);
  assert.equal(ep.sourceIPs, []);
  await find('the kubernetes EndpointSlice', (e) => loopback(e) && e.objectRef?.resource === 'endpointslices' && e.objectRef.name === 'kubernetes' && e.verb === 'create');
  const [list] = await find('the node lister', (e) => loopback(e) && e.objectRef?.resource === 'nodes' && e.verb === 'list');
  assert.is(list!.at(-1)!.requestURI, '/api/v1/nodes');
  assert.is(list!.at(-1)!.responseStatus?.code, 200);
  assert.not.ok(events().some((e) => e.user.username.startsWith('system:bus:')), 'no request from an address without its user');
});

test('impersonation: the event\'s user is who authenticated, impersonatedUser who it acted as, with uid and extra; a token\'s user has its account\'s uid', async () => {
  const r = await adminGet('/api/v1/namespaces/default/configmaps?limit=3', { 'Impersonate-User': 'jane', 'Impersonate-Uid': 'u-7', 'Impersonate-Group': 'dev', 'Impersonate-Extra-Scopes': 'view' });
  assert.is(r.code, 403, r.body);
  const [evs] = await find('the impersonated list', (e) => e.auditID === r.headers['audit-id']);
  assert.is(stages(evs!), 'RequestReceived,ResponseComplete');
  assert.is(evs![0]!.impersonatedUser, undefined, 'RequestReceived is logged before impersonation, as upstream');
  const done = evs!.at(-1)!;
  assert.is(done.user.username, 'kubeactor-admin');
  assert.equal(done.impersonatedUser, { username: 'jane', uid: 'u-7', groups: ['dev', 'system:authenticated'], extra: { scopes: ['view'] } });
  assert.match(done.responseStatus?.message ?? '', 'User "jane" cannot list resource "configmaps"');
  const token = await ok(['create', 'token', 'default']);
  await kubectl([`--token=${token}`, 'get', 'configmaps', '-o', 'name']);
  const [sa] = await find('the token\'s request', (e) => REST(e) && e.user.username === 'system:serviceaccount:default:default' && e.objectRef?.resource === 'configmaps');
  const user = sa!.at(-1)!.user;
  assert.is(user.uid, await ok(['get', 'serviceaccount', 'default', '-o', 'jsonpath={.metadata.uid}']));
  assert.equal(Object.keys(user.extra ?? {}), ['authentication.kubernetes.io/credential-id']);
});

test('the Audit-Id header is the event\'s auditID (a client\'s own Audit-ID kept); a bad token is logged as 401; /metrics counts events', async () => {
  const r = await adminGet('/api/v1/namespaces/default/configmaps?limit=7');
  assert.is(r.code, 200);
  const id = r.headers['audit-id'] as string;
  assert.match(id, /^[0-9a-f-]{36}$/);
  const [mine] = await find('the event of the header', (e) => e.auditID === id);
  assert.is(mine!.at(-1)!.requestURI, '/api/v1/namespaces/default/configmaps?limit=7');
  const given = await adminGet('/api/v1/namespaces/default/configmaps?limit=8', { 'Audit-ID': 'my-own-id-1' });
  assert.is(given.headers['audit-id'], 'my-own-id-1');
  await find('the client\'s audit ID', (e) => e.auditID === 'my-own-id-1');
  const bad = await kubectl(['--token=not-a-token', 'get', 'configmaps']);
  assert.is(bad.code, 1);
  const [unauth] = await find('the 401', (e) => REST(e) && e.responseStatus?.code === 401);
  assert.is(unauth!.at(-1)!.user.username, '');
  const metrics = await ok(['get', '--raw', '/metrics']);
  const count = Number(/^apiserver_audit_event_total (\d+)$/m.exec(metrics)?.[1]);
  assert.ok(count > 10, metrics);
  assert.match(metrics, /^apiserver_audit_error_total\{plugin="log"\} 0$/m);
  assert.match(metrics, /^apiserver_audit_level_total\{level="RequestResponse"\} \d+$/m);
});

test('past --audit-log-maxsize 1 the log rotates into audit-<UTC time>.log, each file at most 1 MB, nothing lost', async () => {
  const big = (n: number) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${n}` }, data: { blob: 'x'.repeat(300_000) } });
  for (let n = 0; n < 3; n++) await ok(['create', '-f', '-', '-o', 'name'], big(n));
  await find('the big creates', (e) => REST(e) && e.verb === 'create' && (e.objectRef?.name ?? '').startsWith('big-'), 3);
  const files = readdirSync(logDir).sort();
  const rotated = files.filter((f) => /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/.test(f));
  assert.ok(rotated.length >= 2, files.join(' '));
  for (const f of files) assert.ok(readFileSync(join(logDir, f)).length <= 1024 * 1024, f);
  assert.is(requests((e) => REST(e) && e.verb === 'create' && (e.objectRef?.name ?? '').startsWith('big-')).length, 3);
});

test('a malformed policy file stops up with kube-apiserver\'s error, before anything starts', async () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Loud\n');
  const p = runCli(['up', '--data-dir', join(dir, 'bad-data'), '--storage', 'memory', '--port', '0', '--nodes', '0', '--audit-policy-file', bad, '--audit-log-path', join(dir, 'bad.log')]);
  assert.is(await p.exited(), 1);
  assert.is(p.output().trim(), `kubeactor up: loading audit policy file: rules[0].level: Unsupported value: "Loud": supported values: "None", "Metadata", "Request", "RequestResponse": from file ${bad}`);
});

test.after(async () => {
  if (up) {
    const pid = up.child.pid!;
    assert.is(await stopWithin(up, 'SIGTERM'), 0);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, `up (${pid}) is gone`);
  }
  rmSync(dir, { recursive: true, force: true });
});

test.run();
