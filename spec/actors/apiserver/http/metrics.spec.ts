/**
 * GET /metrics through the real HTTPS front and apiserver: every answered request is counted
 * in apiserver_request_total with kube-apiserver's labels (refusals and errors included: 401,
 * 404, 400 for a bad parameter, 422, a 504 timeout), requests in flight and open watches are
 * gauges, the bus's rejects are counted by cause, and the real kubectl reads it all with
 * `kubectl get --raw /metrics`. The exposition text is parsed, not matched as a string.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { startCluster, type Cluster } from '../../../e2e/cluster.ts';
import { InProcessBus } from '../../../../bus/inprocess.ts';
import { KV_ADDRESS } from '../../../../bus/permissions.ts';
import { VirtualClock } from '../../../../actors/clock/virtual.ts';
import { startHttpFront } from '../../../../actors/apiserver/http/server.ts';
import { client, stream } from './client.ts';
import { eventually } from '../../../helpers/wait.ts';
import { parseSamples as parse, valueOf, type Labels, type Sample } from '../../../helpers/prometheus.ts';

let c: Cluster;
let call: ReturnType<typeof client>;
let anonymous: ReturnType<typeof client>;
const NS = '/api/v1/namespaces/default';
const JSON_CT = { 'content-type': 'application/json' };

test.before(async () => {
  c = await startCluster();
  call = client(c.rest.url, c.rest.ca, c.rest.token);
  anonymous = client(c.rest.url, c.rest.ca, null);
});
test.after(async () => {
  await c.stop();
});

async function scrape(): Promise<Sample[]> {
  const r = await call('GET', '/metrics');
  assert.is(r.status, 200, r.text);
  assert.is(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  return parse(r.text);
}

/** apiserver_request_total's full label set, with kube-apiserver's values for a core/v1 configmaps request. */
const request = (l: Partial<Labels> & { verb: string; scope: string; code: string }): Labels => ({
  component: 'apiserver', dry_run: '', group: '', version: 'v1', resource: 'configmaps', subresource: '', ...l,
});
const cm = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } });

/** A GET of a request target no URL parser takes (`//[`), sent as is (the spec client would refuse to build it). */
function rawGet(target: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(c.rest.url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: hostname, port, path: target, ca: c.rest.ca, headers: { authorization: `Bearer ${c.rest.token}` } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Row {
  name: string;
  send: () => Promise<{ status: number }>;
  status: number;
  labels: Labels;
}

const rows: Row[] = [
  { name: '401 without credentials', send: () => anonymous('GET', `${NS}/configmaps`), status: 401,
    labels: request({ verb: 'LIST', scope: 'namespace', code: '401' }) },
  { name: '404 for an object that is not there', send: () => call('GET', `${NS}/configmaps/missing`), status: 404,
    labels: request({ verb: 'GET', scope: 'resource', code: '404' }) },
  { name: '400 for limit=abc', send: () => call('GET', `${NS}/configmaps?limit=abc`), status: 400,
    labels: request({ verb: 'LIST', scope: 'namespace', code: '400' }) },
  { name: '400 for a watch with timeoutSeconds=-5', send: () => call('GET', `${NS}/configmaps?watch=true&timeoutSeconds=-5`), status: 400,
    labels: request({ verb: 'WATCH', scope: 'namespace', code: '400' }) },
  { name: '400 for dryRun=Bogus', send: () => call('POST', `${NS}/configmaps?dryRun=Bogus`, { body: cm('dry'), headers: JSON_CT }), status: 400,
    labels: request({ verb: 'POST', scope: 'resource', dry_run: 'invalid', code: '400' }) },
  { name: '422 for an invalid name', send: () => call('POST', `${NS}/configmaps`, { body: cm('Bad_Name'), headers: JSON_CT }), status: 422,
    labels: request({ verb: 'POST', scope: 'resource', code: '422' }) },
  { name: '413 for a body over 3 MiB', send: () => call('POST', `${NS}/configmaps`, { body: Buffer.alloc(4 * 1024 * 1024, 32), headers: JSON_CT }), status: 413,
    labels: request({ verb: 'POST', scope: 'resource', code: '413' }) },
  { name: '415 for a body in an unknown media type', send: () => call('POST', `${NS}/configmaps`, { body: Buffer.from([0xa0]), headers: { 'content-type': 'application/cbor' } }), status: 415,
    labels: request({ verb: 'POST', scope: 'resource', code: '415' }) },
  { name: '201 for a create', send: () => call('POST', `${NS}/configmaps`, { body: cm('counted'), headers: JSON_CT }), status: 201,
    labels: request({ verb: 'POST', scope: 'resource', code: '201' }) },
  { name: '200 for a merge patch', send: () => call('PATCH', `${NS}/configmaps/counted`, { body: '{"data":{"k":"w"}}', headers: { 'content-type': 'application/merge-patch+json' } }), status: 200,
    labels: request({ verb: 'PATCH', scope: 'resource', code: '200' }) },
  { name: '200 for a delete', send: () => call('DELETE', `${NS}/configmaps/counted`), status: 200,
    labels: request({ verb: 'DELETE', scope: 'resource', code: '200' }) },
  // kube-apiserver reports a deletecollection by its method: DELETE, at namespace scope (CanonicalVerb ignores the installer's verb).
  { name: '200 for a delete of a collection', send: () => call('DELETE', `${NS}/configmaps?labelSelector=none%3Dnone`), status: 200,
    labels: request({ verb: 'DELETE', scope: 'namespace', code: '200' }) },
  { name: '201 for a dry-run create', send: () => call('POST', `${NS}/configmaps?dryRun=All`, { body: cm('dry'), headers: JSON_CT }), status: 201,
    labels: request({ verb: 'POST', scope: 'resource', dry_run: 'All', code: '201' }) },
  { name: '200 for a cluster-wide list', send: () => call('GET', '/api/v1/configmaps'), status: 200,
    labels: request({ verb: 'LIST', scope: 'cluster', code: '200' }) },
  { name: '404 for a pod status read (a subresource)', send: () => call('GET', `${NS}/pods/none/status`), status: 404,
    labels: request({ verb: 'GET', scope: 'resource', resource: 'pods', subresource: 'status', code: '404' }) },
  { name: '404 for a resource nobody serves: labelled "" so hostile paths add no series', send: () => call('GET', `${NS}/frobs-${Date.now()}`), status: 404,
    labels: request({ verb: 'LIST', scope: 'namespace', version: '', resource: '', code: '404' }) },
  { name: '404 for a path that is no API at all', send: () => call('GET', `/nonsense-${Date.now()}`), status: 404,
    labels: request({ verb: 'GET', scope: '', version: '', resource: '', code: '404' }) },
  { name: '405 for POST on discovery, labelled with the served path', send: () => call('POST', '/apis/apps/v1'), status: 405,
    labels: request({ verb: 'POST', scope: '', version: '', resource: '', subresource: '/apis/apps/v1', code: '405' }) },
  { name: '400 (a Status, not a 500) for a request target that is no URL', send: () => rawGet('//['), status: 400,
    labels: request({ verb: 'GET', scope: '', version: '', resource: '', code: '400' }) },
  { name: 'a method no one reports is "other"', send: () => call('OPTIONS', `${NS}/configmaps`), status: 405,
    labels: request({ verb: 'other', scope: 'namespace', code: '405' }) },
];

for (const row of rows) {
  test(`counted in apiserver_request_total: ${row.name}`, async () => {
    const before = valueOf(await scrape(), 'apiserver_request_total', row.labels);
    const r = await row.send();
    assert.is(r.status, row.status);
    // The response's close is what counts it: the next scrape sees it.
    const after = valueOf(await scrape(), 'apiserver_request_total', row.labels);
    assert.is(after - before, 1, JSON.stringify(row.labels));
  });
}

test('a refused write changes nothing stored: the invalid and dry-run ConfigMaps are not there', async () => {
  assert.is((await call('GET', `${NS}/configmaps/dry`)).status, 404);
  assert.is((await call('GET', `${NS}/configmaps/Bad_Name`)).status, 404);
});

test('/metrics itself is authenticated (401 counted under its path) and GET-only', async () => {
  const before = await scrape();
  const r = await anonymous('GET', '/metrics');
  assert.is(r.status, 401);
  assert.is(r.json().reason, 'Unauthorized');
  const post = await call('POST', '/metrics');
  assert.is(post.status, 405);
  const after = await scrape();
  const at = (code: string, verb = 'GET') => request({ verb, scope: '', version: '', resource: '', subresource: '/metrics', code });
  assert.is(valueOf(after, 'apiserver_request_total', at('401')) - valueOf(before, 'apiserver_request_total', at('401')), 1);
  assert.is(valueOf(after, 'apiserver_request_total', at('405', 'POST')) - valueOf(before, 'apiserver_request_total', at('405', 'POST')), 1);
  assert.ok(valueOf(after, 'apiserver_request_total', at('200')) >= 1, 'the scrapes themselves are counted');
});

test('requests in flight and open watches are gauges: the watch counts while open, not after', async () => {
  const watchLabels = { component: 'apiserver', group: '', version: 'v1', resource: 'configmaps', subresource: '', scope: 'namespace', verb: 'WATCH' };
  const idle = await scrape();
  // The scrape is itself a read-only request in flight while it renders.
  assert.ok(valueOf(idle, 'apiserver_current_inflight_requests', { request_kind: 'readOnly' }) >= 1);
  assert.is(valueOf(idle, 'apiserver_current_inflight_requests', { request_kind: 'mutating' }), 0);
  const w = stream(c.rest.url, c.rest.ca, c.rest.token, `${NS}/configmaps?watch=true`);
  await w.head;
  assert.is(w.status, 200);
  assert.is(valueOf(await scrape(), 'apiserver_longrunning_requests', watchLabels) - valueOf(idle, 'apiserver_longrunning_requests', watchLabels), 1);
  w.close();
  await eventually(() => w.ended);
  await eventually(async () => {
    assert.is(valueOf(await scrape(), 'apiserver_longrunning_requests', watchLabels), valueOf(idle, 'apiserver_longrunning_requests', watchLabels), 'long-running requests back to idle');
    return true;
  });
  const watched = request({ verb: 'WATCH', scope: 'namespace', code: '200' });
  assert.ok(valueOf(await scrape(), 'apiserver_request_total', watched) >= 1, 'the watch is counted once it ended');
});

test('the bus rejects are counted by cause: a send to the kv actor from a pod address is forbidden', async () => {
  const before = valueOf(await scrape(), 'kubeactor_bus_rejected_total', { cause: 'forbidden' });
  for (const cause of ['malformed', 'unknownType', 'badPayload', 'oversized', 'versionMismatch', 'forged']) {
    assert.ok((await scrape()).some((s) => s.name === 'kubeactor_bus_rejected_total' && s.labels.cause === cause), cause);
  }
  const port = c.bus.register('pod.metrics-spec', () => {});
  try {
    const r = await port.request(KV_ADDRESS, 'kv.get', { key: '/registry/secrets/kube-system/x' } as never);
    assert.is(r.ok ? 0 : r.status.code, 403);
  } finally {
    port.close();
  }
  assert.is(valueOf(await scrape(), 'kubeactor_bus_rejected_total', { cause: 'forbidden' }) - before, 1);
});

test('the real kubectl: get --raw /metrics, and its server-side apply counted as APPLY', async () => {
  const doc = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: default\ndata:\n  k: v\n';
  const applied = await c.kubectl(['apply', '--server-side', '-f', '-'], doc);
  assert.is(applied.code, 0, applied.stderr);
  const raw = await c.kubectl(['get', '--raw', '/metrics']);
  assert.is(raw.code, 0, raw.stderr);
  const samples = parse(raw.stdout);
  assert.ok(valueOf(samples, 'apiserver_request_total', request({ verb: 'APPLY', scope: 'resource', code: '201' })) >= 1, raw.stdout.split('\n').filter((l) => l.includes('APPLY')).join('\n'));
  assert.match(raw.stdout, '# TYPE apiserver_request_total counter');
  assert.match(raw.stdout, '# TYPE apiserver_current_inflight_requests gauge');
  assert.match(raw.stdout, '# TYPE apiserver_longrunning_requests gauge');
});

test('a request that overran --request-timeout is counted as its 504 (virtual time)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeactor-metrics-'));
  const bus = new InProcessBus();
  const clock = new VirtualClock();
  // An apiserver that never answers: only the deadline can end the request.
  bus.register('apiserver', () => {});
  const front = await startHttpFront({ bus, port: 0, address: '127.0.0.1', token: 'secret', dataDir, clock });
  try {
    const slow = client(front.url, front.caCert, 'secret');
    const before = clock.pending;
    const pending = slow('GET', `${NS}/configmaps/slow`);
    await eventually(() => clock.pending > before);
    await clock.advance(60_000);
    assert.is((await pending).status, 504);
    const text = (await slow('GET', '/metrics')).text;
    assert.is(valueOf(parse(text), 'apiserver_request_total', request({ verb: 'GET', scope: 'resource', code: '504' })), 1);
  } finally {
    await front.close();
    await bus.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
