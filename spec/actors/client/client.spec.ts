import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { ApiClient, ApiError, isAlreadyExists, isConflict, isConflictOrExists, isExpired, isForbidden, isGone, isInvalid, isNotFound, isTimeout, isTooManyRequests, resourceTargets, statusOf, targets, unwrap } from '../../../actors/client/index.ts';
import { alreadyExists, conflict, expired, fail, forbidden, gone, invalid, notFound, ok, timeout, tooManyRequests } from '../../../base/status.ts';
import { start, type Harness } from '../apiserver/harness.ts';

let h: Harness;
let api: ApiClient;
test.before.each(async () => {
  h = await start();
  api = new ApiClient(h.client().port);
});
test.after.each(async () => {
  await h.close();
});

const pod = (name: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
});

test('typed create, get, list, update, patch, status update and delete against a real apiserver', async () => {
  const created = unwrap(await api.create(targets.pods('default'), pod('web-1')));
  assert.ok(created.created);
  const uid: string | undefined = created.object.metadata?.uid; // typed: a Pod, no cast
  assert.ok(uid);

  const got: Pod = unwrap(await api.get(targets.pods('default', 'web-1')));
  assert.is(got.spec?.containers[0]?.image, 'nginx:1.27');

  const list = unwrap(await api.list(targets.pods('default'), 'app=web'));
  assert.equal(list.items.map((p) => p.metadata?.name), ['web-1']);
  assert.ok(list.metadata?.resourceVersion);
  assert.equal(unwrap(await api.list(targets.pods('default'), 'app=db')).items, []);

  const updated = unwrap(await api.update(targets.pods('default', 'web-1'), { ...got, metadata: { ...got.metadata, labels: { app: 'web', tier: 'front' } } }));
  assert.is(updated.object.metadata?.labels?.tier, 'front');

  const patched = unwrap(await api.patch(targets.pods('default', 'web-1'), { metadata: { annotations: { a: 'b' } } }));
  assert.is(patched.object.metadata?.annotations?.a, 'b');

  const withStatus = unwrap(await api.updateStatus(targets.pods('default', 'web-1'), { ...patched.object, status: { phase: 'Running' } }));
  assert.is(withStatus.object.status?.phase, 'Running');

  unwrap(await api.delete(targets.pods('default', 'web-1'), { gracePeriodSeconds: 0 }));
  const gone = await api.get(targets.pods('default', 'web-1'));
  assert.ok(!gone.ok && isNotFound(gone));
});

test('cluster-scoped targets and a plain ApiTarget (untyped objects)', async () => {
  const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };
  unwrap(await api.create(targets.nodes(), node));
  const n: Node = unwrap(await api.get(targets.nodes(undefined, 'n1')));
  assert.is(n.metadata?.name, 'n1');
  // A plain ApiTarget answers an untyped KubeObject.
  const ns = unwrap(await api.get({ group: '', version: 'v1', resource: 'namespaces', name: 'default' }));
  assert.is(ns.metadata?.name, 'default');
});

test('failures stay data; unwrap throws an ApiError carrying the Status', async () => {
  unwrap(await api.create(targets.pods('default'), pod('web-1')));
  const again = await api.create(targets.pods('default'), pod('web-1'));
  assert.ok(!again.ok);
  assert.ok(isAlreadyExists(again) && isConflictOrExists(again) && !isConflict(again));
  try {
    unwrap(again);
    assert.unreachable('unwrap should throw');
  } catch (e) {
    assert.instance(e, ApiError);
    assert.is((e as ApiError).status.code, 409);
    assert.is((e as ApiError).status.reason, 'AlreadyExists');
    assert.ok(isAlreadyExists(e));
  }
  const stale = await api.update(targets.pods('default', 'web-1'), { ...pod('web-1'), metadata: { name: 'web-1', resourceVersion: '1' } });
  assert.ok(!stale.ok && isConflict(stale));
});

test('targets: key order, absent parts omitted, unknown resources fail fast', () => {
  assert.equal(Object.keys(targets.pods('ns', 'p', 'status')), ['group', 'version', 'resource', 'namespace', 'name', 'subresource']);
  assert.equal(targets.pods(), { group: '', version: 'v1', resource: 'pods' });
  assert.equal(targets.pods('ns', 'p', ''), { group: '', version: 'v1', resource: 'pods', namespace: 'ns', name: 'p' });
  assert.equal(targets.nodes(undefined, 'n1'), { group: '', version: 'v1', resource: 'nodes', name: 'n1' });
  assert.is(targets.deployments.group, 'apps');
  assert.throws(() => resourceTargets('apps', 'v1', 'widgets'), /no registered kind/);
});

test('Status predicates take a Status, a failed Result or an ApiError', () => {
  const nf = notFound('pods', 'x');
  assert.ok(isNotFound(nf) && isNotFound(fail(nf)) && isNotFound(new ApiError(nf)));
  assert.not.ok(isNotFound(ok(1)));
  assert.not.ok(isNotFound(new Error('404')));
  assert.is(statusOf(fail(nf)), nf);
  assert.ok(isConflict(conflict('pods', 'x', 'modified')) && !isAlreadyExists(conflict('pods', 'x', 'modified')));
  assert.ok(isAlreadyExists(alreadyExists('pods', 'x')));
  assert.ok(isGone(gone('g')) && isGone(expired('e')) && isExpired(expired('e')) && !isExpired(gone('g')));
  assert.ok(isForbidden(forbidden('no')));
  assert.ok(isInvalid(invalid('Pod', 'x', [{ field: 'spec', message: 'bad' }])));
  assert.ok(isTimeout(timeout('slow')));
  assert.ok(isTooManyRequests(tooManyRequests('busy', 1)));
});

test.run();
