import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import { MemoryKv } from '../../../actors/kv/memory.ts';
import { parseEncryptionConfig } from '../../../actors/apiserver/encryption/config.ts';
import { Transformers } from '../../../actors/apiserver/encryption/transformer.ts';
import { start, type Harness } from './harness.ts';

const KEY1 = randomBytes(32).toString('base64');
const KEY2 = randomBytes(32).toString('base64');
const PLAIN = 'hunter2-plaintext';
const secretsT = (name?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'secrets', namespace: 'default', ...(name ? { name } : {}) });
const secret = (name: string, value = PLAIN): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { password: Buffer.from(value).toString('base64') } } as KubeObject);
const KEY = (name: string) => `/registry/secrets/default/${name}`;

type P = 'aescbc' | 'aesgcm' | 'secretbox' | 'identity';
/** An EncryptionConfiguration for secrets with these providers, each given its keys as [name, secret]. */
function config(...providers: [P, ...[string, string][]][]): string {
  const lines = providers.map(([type, ...keys]) =>
    type === 'identity' ? '      - identity: {}' : `      - ${type}:\n          keys:\n${keys.map(([n, s]) => `            - name: ${n}\n              secret: ${s}`).join('\n')}`,
  );
  return `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n${lines.join('\n')}\n`;
}
const encryption = (yaml: string) => new Transformers(parseEncryptionConfig(yaml));

const open: Harness[] = [];
async function boot(yaml: string | null, backend?: MemoryKv): Promise<Harness> {
  const h = await start({ ...(yaml ? { encryption: encryption(yaml) } : {}), ...(backend ? { backend } : {}) });
  open.push(h);
  return h;
}
/** Stops the apiserver and its bus, keeping the store: the next boot is a restart over the same data. */
async function restart(h: Harness, yaml: string | null): Promise<Harness> {
  h.core.stop();
  await h.bus.close();
  open.splice(open.indexOf(h), 1);
  return boot(yaml, h.backend);
}
test.after.each(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** The value the kv holds for a key, as stored (bytes for an encrypted one). */
async function raw(h: Harness, key: string): Promise<unknown> {
  return (await h.backend.get(key)).kv?.value;
}
const text = (v: unknown): string => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : JSON.stringify(v));
const password = async (h: Harness, name: string, resourceVersion?: string) => {
  const got = await h.client().must('api.get', { target: secretsT(name), ...(resourceVersion ? { resourceVersion } : {}) });
  return Buffer.from((got.data as { password: string }).password, 'base64').toString();
};

for (const p of ['aescbc', 'aesgcm', 'secretbox'] as const) {
  test(`${p}: the kv holds k8s:enc:${p}:v1:key1: and ciphertext; get, list and watch read the Secret back`, async () => {
    const h = await boot(config([p, ['key1', KEY1]]));
    await h.client().must('api.watch', { target: secretsT(), id: 'w' });
    await h.client().must('api.create', { target: secretsT(), object: secret('db') });
    const stored = await raw(h, KEY('db'));
    assert.instance(stored, Uint8Array);
    assert.ok(text(stored).startsWith(`k8s:enc:${p}:v1:key1:`), text(stored).slice(0, 40));
    assert.not.match(text(stored), PLAIN);
    assert.not.match(text(stored), Buffer.from(PLAIN).toString('base64'));
    assert.not.match(text(stored), '"kind":"Secret"');
    assert.is(await password(h, 'db'), PLAIN, 'a quorum get decrypts');
    assert.is(await password(h, 'db', '0'), PLAIN, 'the watch cache holds the decrypted object');
    const list = await h.client().must('api.list', { target: secretsT() });
    assert.equal((list.items as KubeObject[]).map((s) => s.metadata?.name), ['db']);
    await h.settle();
    const events = h.client().events.get('w') ?? [];
    assert.ok(events.some((e) => e.type === 'ADDED' && e.object.metadata?.name === 'db' && (e.object.data as { password: string }).password === Buffer.from(PLAIN).toString('base64')));
    // Other resources are not covered by this configuration: stored as they are.
    await h.client().must('api.create', { target: { group: '', version: 'v1', resource: 'configmaps', namespace: 'default' }, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' } } as KubeObject });
    assert.not.instance(await raw(h, '/registry/configmaps/default/c'), Uint8Array);
  });
}

test('aesgcm authenticates the storage key: a value copied under another key does not decrypt', async () => {
  const h = await boot(config(['aesgcm', ['key1', KEY1]]));
  await h.client().must('api.create', { target: secretsT(), object: secret('a') });
  const stolen = (await h.backend.get(KEY('a'))).kv!.value;
  await h.backend.txn([{ op: 'put', key: KEY('b'), value: stolen }]);
  const r = await h.client().call('api.get', { target: secretsT('b') });
  assert.is(!r.ok && r.status.code, 500);
  assert.is(!r.ok && r.status.message, `Internal error occurred: unable to transform key "${KEY('b')}": cipher: message authentication failed`);
});

test('rotation as documented: add key2 second, restart, key2 first, restart, rewrite every Secret, drop key1', async () => {
  let h = await boot(config(['aescbc', ['key1', KEY1]]));
  await h.client().must('api.create', { target: secretsT(), object: secret('one') });
  h = await restart(h, config(['aescbc', ['key1', KEY1], ['key2', KEY2]]));
  await h.client().must('api.create', { target: secretsT(), object: secret('two') });
  assert.ok(text(await raw(h, KEY('two'))).startsWith('k8s:enc:aescbc:v1:key1:'), 'key1 still encrypts');
  h = await restart(h, config(['aescbc', ['key2', KEY2], ['key1', KEY1]]));
  assert.is(await password(h, 'one'), PLAIN, 'key1 values still read');
  // kubectl get secrets -A -o json | kubectl replace -f -: each unchanged Secret is written again, with key2.
  for (const name of ['one', 'two']) {
    const cur = await h.client().must('api.get', { target: secretsT(name) });
    await h.client().must('api.update', { target: secretsT(name), object: cur });
    assert.ok(text(await raw(h, KEY(name))).startsWith('k8s:enc:aescbc:v1:key2:'), `${name} rewritten with key2`);
  }
  h = await restart(h, config(['aescbc', ['key2', KEY2]]));
  assert.is(await password(h, 'one'), PLAIN);
  assert.is(await password(h, 'two'), PLAIN);
  // An update that changes nothing on a value the first key wrote stores nothing new.
  const before = (await h.backend.get(KEY('one'))).kv!.modRevision;
  await h.client().must('api.update', { target: secretsT('one'), object: await h.client().must('api.get', { target: secretsT('one') }) });
  assert.is((await h.backend.get(KEY('one'))).kv!.modRevision, before);
});

test('identity first reads the values encrypted before and writes new ones unencrypted (decrypting all)', async () => {
  let h = await boot(config(['secretbox', ['key1', KEY1]]));
  await h.client().must('api.create', { target: secretsT(), object: secret('old') });
  h = await restart(h, config(['identity'], ['secretbox', ['key1', KEY1]]));
  assert.is(await password(h, 'old'), PLAIN);
  await h.client().must('api.create', { target: secretsT(), object: secret('new') });
  assert.not.instance(await raw(h, KEY('new')), Uint8Array);
  await h.client().must('api.update', { target: secretsT('old'), object: await h.client().must('api.get', { target: secretsT('old') }) });
  assert.not.instance(await raw(h, KEY('old')), Uint8Array, 'the stale value was rewritten in the clear');
});

test('a value no configured key reads is a 500 for that request, not a crashed apiserver; plaintext needs identity', async () => {
  let h = await boot(config(['aescbc', ['key1', KEY1]]));
  await h.client().must('api.create', { target: secretsT(), object: secret('lost') });
  h = await restart(h, config(['aescbc', ['key2', KEY2]]));
  await h.client().must('api.create', { target: { group: '', version: 'v1', resource: 'secrets', namespace: 'kube-system' }, object: secret('elsewhere') });
  const msg = `Internal error occurred: unable to transform key "${KEY('lost')}": no matching key was found for the provided AES transformer`;
  for (const rv of [undefined, '0']) {
    const r = await h.client().call('api.get', { target: secretsT('lost'), ...(rv ? { resourceVersion: rv } : {}) });
    assert.is(!r.ok && r.status.code, 500);
    assert.is(!r.ok && r.status.reason, 'InternalError');
    assert.is(!r.ok && r.status.message, msg);
  }
  const list = await h.client().call('api.list', { target: secretsT() });
  assert.is(!list.ok && list.status.message, msg);
  // Another namespace's list does not include the unreadable key; new Secrets work.
  const other = await h.client().must('api.list', { target: { group: '', version: 'v1', resource: 'secrets', namespace: 'kube-system' } });
  assert.equal((other.items as KubeObject[]).map((x) => x.metadata?.name), ['elsewhere']);
  await h.client().must('api.create', { target: secretsT(), object: secret('fresh') });
  assert.is(await password(h, 'fresh'), PLAIN);
  // Unencrypted values (written before encryption was configured) need identity in the list.
  h = await restart(h, null);
  const clear = secret('clear');
  await h.client().must('api.create', { target: secretsT(), object: clear });
  const only = await restart(h, config(['aescbc', ['key2', KEY2]]));
  const r = await only.client().call('api.get', { target: secretsT('clear') });
  assert.is(!r.ok && r.status.message, `Internal error occurred: unable to transform key "${KEY('clear')}": no matching prefix found`);
});

test('EncryptionConfiguration is checked with kube-apiserver\'s messages', () => {
  const bad = (yaml: string, message: string) => assert.throws(() => parseEncryptionConfig(yaml), (e: Error) => e.message === message || (console.error(e.message), false));
  bad(config(['aescbc', ['key1', Buffer.alloc(8).toString('base64')]]), 'resources[0].providers[0].aescbc.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 8, expected one of [16 24 32]');
  bad(config(['secretbox', ['key1', Buffer.alloc(16).toString('base64')]]), 'resources[0].providers[0].secretbox.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 16, expected one of [32]');
  bad(config(['aesgcm', ['key1', 'not base64!']]), 'resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: "REDACTED": secrets must be base64 encoded');
  bad(config(['aescbc']), 'resources[0].providers[0].aescbc.keys: Required value: at least one keys is required');
  bad('apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources: []\n', 'resources: Required value: at least one resources is required');
  bad('apiVersion: v1\nkind: ConfigMap\n', 'got unexpected config type: v1, Kind=ConfigMap (want apiserver.config.k8s.io/v1, Kind=EncryptionConfiguration)');
  bad(config(['identity']).replace('[secrets]', '[Secrets]'), 'resources[0].resources[0]: Invalid value: "Secrets": resource name should not contain capital letters');
  bad(config(['identity']).replace('[secrets]', '[secrets, "*."]'), 'resources[0].resources: Invalid value: ["secrets","*."]: using overlapping resources such as \'secrets\' and \'*.\' in the same resource list is not allowed as they will be masked');
  // Wildcards cover what they name; the first entry that covers a resource wins.
  const t = encryption(`apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [configmaps]\n    providers: [{identity: {}}]\n  - resources: ["*.apps", "*."]\n    providers: [{aescbc: {keys: [{name: k, secret: ${KEY1}}]}}]\n`);
  assert.is(t.for('configmaps')!.write({ a: 1 }, '/registry/configmaps/x/y') instanceof Uint8Array, false);
  assert.is(t.for('secrets')!.write({ a: 1 }, '/registry/secrets/x/y') instanceof Uint8Array, true);
  assert.is(t.for('deployments.apps')!.write({ a: 1 }, 'k') instanceof Uint8Array, true);
  assert.is(t.for('leases.coordination.k8s.io'), null);
});

test.run();
