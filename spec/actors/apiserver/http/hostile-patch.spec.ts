/**
 * Hostile patches through the real HTTPS front and a real control plane core in this
 * process: every row is refused (or harmless) with Kubernetes' Status, leaves the stored
 * object as it was, and leaves this process's prototypes untouched, so anonymous requests
 * stay unauthenticated.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from '../../../../bus/inprocess.ts';
import { ActorHost } from '../../../../actors/host.ts';
import { realClock } from '../../../../base/real-clock.ts';
import { silentLogger } from '../../../../actors/logger.ts';
import { MemoryKv } from '../../../../actors/kv/memory.ts';
import { startControlPlaneCore, type ControlPlaneCore } from '../../../../actors/apiserver/start.ts';
import { loadOrCreateToken, startKubectlFront, type HttpFront } from '../../../../actors/apiserver/http/index.ts';
import { client, type Reply } from './client.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-hostile-'));
const bus = new InProcessBus();
let core: ControlPlaneCore;
let front: HttpFront;
let call: ReturnType<typeof client>;
let anon: ReturnType<typeof client>;

const CT = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

const CM_PATH = '/api/v1/namespaces/default/configmaps/target';
const protoNames = (): string[] => Object.getOwnPropertyNames(Object.prototype).sort();
const pristine = protoNames();

test.before(async () => {
  const host = new ActorHost({ bus, clock: realClock, seed: 3, logger: silentLogger });
  core = startControlPlaneCore({ bus, host, backend: new MemoryKv() });
  await core.ready();
  const token = await loadOrCreateToken(dir);
  ({ front } = await startKubectlFront({ bus, dataDir: dir, port: 0, token }));
  call = client(front.url, front.caCert, token);
  anon = client(front.url, front.caCert, null);
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'target', labels: { app: 'x' } }, data: { k: 'v' }, binaryData: {} };
  const r = await call('POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify(cm), headers: { 'content-type': 'application/json' } });
  assert.is(r.status, 201, r.text);
});

test.after(async () => {
  await front.close();
  core.stop();
  await bus.close();
  rmSync(dir, { recursive: true, force: true });
});

const stored = async (): Promise<any> => (await call('GET', CM_PATH)).json();
const patch = (type: keyof typeof CT, body: string, query = ''): Promise<Reply> =>
  call('PATCH', `${CM_PATH}?fieldManager=hostile${query}`, { body, headers: { 'content-type': CT[type] } });

/** After any hostile request: no prototype changed, anonymous is still anonymous, the object is as it was. */
async function assertUnharmed(before: unknown, what: string): Promise<void> {
  assert.is(({} as any).authorization, undefined, `${what}: Object.prototype.authorization`);
  assert.equal(protoNames(), pristine, `${what}: Object.prototype's members`);
  assert.is(Object.getPrototypeOf({}), Object.prototype, what);
  const secrets = await anon('GET', '/api/v1/namespaces/kube-system/secrets');
  assert.is(secrets.status, 401, `${what}: anonymous GET of kube-system secrets`);
  assert.is(secrets.json().reason, 'Unauthorized');
  assert.equal(await stored(), before, `${what}: the stored object`);
}

interface Row {
  name: string;
  type: keyof typeof CT;
  body: string;
  code: number;
  reason?: string;
  message?: string;
}

const PROTOTYPE_ROWS: Row[] = [
  { name: 'json add through __proto__', type: 'json', body: '[{"op":"add","path":"/__proto__/authorization","value":"Bearer x"}]', code: 422, reason: 'Invalid', message: 'add operation does not apply: doc is missing path: "/__proto__/authorization"' },
  { name: 'json add through constructor.prototype', type: 'json', body: '[{"op":"add","path":"/constructor/prototype/authorization","value":"x"}]', code: 422, reason: 'Invalid', message: 'doc is missing path: "/constructor/prototype/authorization"' },
  { name: 'json add through a nested __proto__', type: 'json', body: '[{"op":"add","path":"/data/__proto__/authorization","value":"x"}]', code: 422, reason: 'Invalid', message: 'doc is missing path' },
  { name: 'json replace of an inherited member', type: 'json', body: '[{"op":"replace","path":"/metadata/__proto__","value":{"authorization":"x"}}]', code: 422, reason: 'Invalid', message: 'replace operation does not apply: doc is missing key: /metadata/__proto__' },
  { name: 'json copy from an inherited member', type: 'json', body: '[{"op":"copy","from":"/constructor","path":"/data/c"}]', code: 422, reason: 'Invalid', message: 'copy operation does not apply: doc is missing from path: /constructor' },
  { name: 'json move from __proto__', type: 'json', body: '[{"op":"move","from":"/__proto__","path":"/data/c"}]', code: 422, reason: 'Invalid', message: 'move operation does not apply: doc is missing from path: /__proto__' },
  { name: 'json remove of an inherited member', type: 'json', body: '[{"op":"remove","path":"/data/toString"}]', code: 422, reason: 'Invalid', message: 'Unable to remove nonexistent key: toString' },
  { name: 'json test of an inherited member', type: 'json', body: '[{"op":"test","path":"/data/constructor","value":null}]', code: 422, reason: 'Invalid', message: 'testing value /data/constructor failed' },
  { name: 'json add of a __proto__ key', type: 'json', body: '[{"op":"add","path":"/data/__proto__","value":{"authorization":"x"}}]', code: 422, reason: 'Invalid', message: 'the key "__proto__" is not accepted' },
  { name: 'merge with a __proto__ key', type: 'merge', body: '{"__proto__":{"authorization":"x"}}', code: 400, reason: 'BadRequest', message: 'the request body is invalid: the key "__proto__" is not accepted' },
  { name: 'merge with a nested __proto__ key', type: 'merge', body: '{"metadata":{"labels":{"__proto__":{"authorization":"x"}}}}', code: 400, reason: 'BadRequest', message: 'the key "__proto__" is not accepted' },
  { name: 'strategic with a __proto__ key', type: 'strategic', body: '{"data":{"__proto__":{"authorization":"x"}}}', code: 400, reason: 'BadRequest', message: 'the key "__proto__" is not accepted' },
  { name: 'apply with a __proto__ key', type: 'apply', body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: target\n__proto__:\n  authorization: x\n', code: 400, reason: 'BadRequest', message: 'the key "__proto__" is not accepted' },
  { name: 'strategic directives naming inherited members', type: 'strategic', body: '{"$setElementOrder/constructor":[],"$deleteFromPrimitiveList/__proto__x":[],"$retainKeys":["apiVersion","kind","metadata","data","binaryData"]}', code: 200 },
];

/** Sends each row's patch: the Status it expects, then nothing harmed. */
async function expectRows(rows: readonly Row[]): Promise<void> {
  for (const row of rows) {
    const before = await stored();
    const r = await patch(row.type, row.body);
    assert.is(r.status, row.code, `${row.name}: ${r.text.slice(0, 300)}`);
    if (row.code >= 400) {
      const s = r.json();
      assert.is(s.kind, 'Status', row.name);
      assert.is(s.code, row.code, row.name);
      if (row.reason) assert.is(s.reason, row.reason, row.name);
      if (row.message) assert.ok(String(s.message).includes(row.message), `${row.name}: ${String(s.message).slice(0, 300)}`);
    }
    await assertUnharmed(before, row.name);
  }
}

test('patches whose paths or keys name prototypes change nothing', () => expectRows(PROTOTYPE_ROWS));

test('POST and PUT bodies with a __proto__ key are 400 BadRequest', async () => {
  const before = await stored();
  const body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"target","annotations":{"__proto__":{"authorization":"x"}}}}';
  for (const [method, path] of [['POST', '/api/v1/namespaces/default/configmaps'], ['PUT', CM_PATH]] as const) {
    const r = await call(method, path, { body, headers: { 'content-type': 'application/json' } });
    assert.is(r.status, 400, r.text);
    assert.match(r.json().message, 'the key "__proto__" is not accepted');
  }
  await assertUnharmed(before, 'POST/PUT');
});

const nest = (n: number, leaf = '1'): string => '{"a":'.repeat(n) + leaf + '}'.repeat(n);
const doubling = JSON.stringify([
  { op: 'add', path: '/x', value: ['y'.repeat(1000)] },
  ...Array.from({ length: 24 }, () => ({ op: 'copy', from: '/x', path: '/x/-' })),
]);
const deepening = JSON.stringify([
  { op: 'add', path: '/x', value: JSON.parse('['.repeat(200) + ']'.repeat(200)) },
  { op: 'copy', from: '/x', path: '/x' + '/0'.repeat(199) + '/-' },
]);
const MiB = 'z'.repeat(1024 * 1024);
const growing = JSON.stringify([
  { op: 'add', path: '/data/a', value: MiB },
  { op: 'copy', from: '/data/a', path: '/data/b' },
  { op: 'copy', from: '/data/a', path: '/data/c' },
]);
const tests = JSON.stringify(Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'ConfigMap' })));
const yamlBlock = Array.from({ length: 300 }, (_, i) => ' '.repeat(i) + 'a:').join('\n') + '\n' + ' '.repeat(300) + 'b: 1\n';

const WORK_ROWS: Row[] = [
  { name: 'one add and 24 doubling copies', type: 'json', body: doubling, code: 422, reason: 'Invalid', message: 'Unable to complete the copy, the accumulated size increase of copy is' },
  { name: '10001 operations', type: 'json', body: tests, code: 413, reason: 'RequestEntityTooLarge', message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001' },
  { name: 'a patched object over the body limit', type: 'json', body: growing, code: 413, reason: 'RequestEntityTooLarge', message: 'Request entity too large: limit is 3145728' },
  { name: 'copies that deepen the object', type: 'json', body: deepening, code: 422, reason: 'Invalid', message: 'would exceed max depth of 256' },
  { name: 'json patch value nested 5000 deep', type: 'json', body: `[{"op":"add","path":"/x","value":${nest(5000)}}]`, code: 400, reason: 'BadRequest', message: 'exceeded max depth of 256' },
  { name: 'merge patch nested 5000 deep', type: 'merge', body: nest(5000), code: 400, reason: 'BadRequest', message: 'exceeded max depth of 256' },
  { name: 'merge patch nested 257 deep', type: 'merge', body: nest(257, '{}'), code: 400, reason: 'BadRequest', message: 'exceeded max depth of 256' },
  { name: 'strategic patch nested 5000 deep', type: 'strategic', body: `{"data":${nest(5000)}}`, code: 400, reason: 'BadRequest', message: 'exceeded max depth of 256' },
  { name: 'apply nested 5000 deep in flow style', type: 'apply', body: nest(5000), code: 400, reason: 'BadRequest', message: 'exceeded max depth of 256' },
  { name: 'apply nested 5000 deep in flow style, again', type: 'apply', body: '['.repeat(5000) + ']'.repeat(5000), code: 400, reason: 'BadRequest', message: 'exceeded max depth of 256' },
  { name: 'apply nested 300 deep in block style', type: 'apply', body: yamlBlock, code: 400, reason: 'BadRequest', message: 'exceeded max depth of 256' },
];

test('patches that would make the server work without bound are refused', () => expectRows(WORK_ROWS));

test('POST bodies nested too deep are 400, in JSON and YAML', async () => {
  const before = await stored();
  const bodies: Array<[string, string]> = [
    ['application/json', `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":${nest(5000)}}`],
    ['application/yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\nx: ${nest(5000)}\n`],
    ['application/yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\nx: ${'['.repeat(5000)}\n`],
  ];
  for (const [ct, body] of bodies) {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', { body, headers: { 'content-type': ct } });
    assert.is(r.status, 400, `${ct}: ${r.text.slice(0, 200)}`);
    assert.match(r.json().message, 'exceeded max depth of 256');
  }
  assert.is((await call('GET', '/api/v1/namespaces/default/configmaps/deep')).status, 404);
  await assertUnharmed(before, 'deep POST');
});

test.run();
