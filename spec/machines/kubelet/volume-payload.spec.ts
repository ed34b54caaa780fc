import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { configMapPayload, downwardPayload, projectedPayload, secretPayload, type PayloadResult } from '../../../machines/kubelet/volumes/payload.ts';

const files = (r: PayloadResult): Record<string, [string, string]> | string =>
  r.ok ? Object.fromEntries([...r.payload].map(([k, v]) => [k, [new TextDecoder().decode(v.data), v.mode.toString(8)]])) : r.error;

const CM = { data: { a: '1', b: '2' }, binaryData: { bin: Buffer.from([0x68, 0x69]).toString('base64') } };

test('configMap: every key at defaultMode 0644, or the items with their paths and modes', () => {
  assert.equal(files(configMapPayload({ name: 'c' }, CM)), { a: ['1', '644'], b: ['2', '644'], bin: ['hi', '644'] });
  assert.equal(files(configMapPayload({ name: 'c', defaultMode: 0o400, items: [{ key: 'a', path: 'x/a' }, { key: 'b', path: 'b', mode: 0o600 }] }, CM)), { 'x/a': ['1', '400'], b: ['2', '600'] });
});

test('missing objects and keys: kubelet\'s errors, or nothing when optional', () => {
  assert.is(files(configMapPayload({ name: 'c' }, null)), 'configmap "c" not found');
  assert.equal(files(configMapPayload({ name: 'c', optional: true }, null)), {});
  assert.is(files(configMapPayload({ name: 'c', items: [{ key: 'zz', path: 'z' }] }, CM)), 'configmap references non-existent config key: zz');
  assert.equal(files(configMapPayload({ name: 'c', optional: true, items: [{ key: 'zz', path: 'z' }, { key: 'a', path: 'a' }] }, CM)), { a: ['1', '644'] });
  assert.is(files(secretPayload({ secretName: 's' }, null)), 'secret "s" not found');
  assert.is(files(secretPayload({ secretName: 's', items: [{ key: 'k', path: 'k' }] }, { data: {} })), 'secret references non-existent secret key: k');
  assert.equal(files(secretPayload({ secretName: 's' }, { data: { pw: Buffer.from('x').toString('base64') } })), { pw: ['x', '644'] });
  assert.is(files(configMapPayload({ name: 'c' }, { error: 'failed to sync configmap cache: timed out waiting for the condition' })), 'failed to sync configmap cache: timed out waiting for the condition');
});

const POD: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { b: '2', a: '1' }, annotations: { note: 'x' } }, spec: { containers: [{ name: 'app', resources: { limits: { memory: '64Mi' } } }] } };

test('downwardAPI: metadata fields and a container\'s resources; projected: its sources in one payload, errors aggregated', () => {
  assert.equal(files(downwardPayload([
    { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
    { path: './name', fieldRef: { fieldPath: 'metadata.name' } },
    { path: 'note', fieldRef: { fieldPath: "metadata.annotations['note']" }, mode: 0o400 },
    { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
  ], POD, { memory: '1Gi' })), { labels: ['a="1"\nb="2"', '644'], name: ['p', '644'], note: ['x', '400'], mem: ['64', '644'] });
  assert.is(files(downwardPayload([{ path: 'x', resourceFieldRef: { containerName: 'nope', resource: 'limits.cpu' } }], POD, {})), 'container nope not found');
  const r = projectedPayload({ defaultMode: 0o440, sources: [
    { configMap: { name: 'c', items: [{ key: 'a', path: 'cfg/a' }] } },
    { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
    { serviceAccountToken: { path: 'token' } },
  ] }, POD, { configMaps: new Map([['c', CM]]), secrets: new Map(), tokens: new Map([[2, { token: 'jwt' }]]), allocatable: {} });
  assert.equal(files(r), { 'cfg/a': ['1', '440'], ns: ['ns', '440'], token: ['jwt', '440'] });
  const bad = projectedPayload({ sources: [{ configMap: { name: 'c' } }, { secret: { name: 's' } }] }, POD, { configMaps: new Map(), secrets: new Map(), tokens: new Map(), allocatable: {} });
  assert.is(files(bad), '[configmap "c" not found, secret "s" not found]');
});

test.run();
