/**
 * The ServiceAccount signing key lives in `<dataDir>/pki/sa.key` (0600), read by the apiserver
 * process, never in the kv store; a key an earlier version left in the kv is deleted at boot
 * and the tokens it signed stop working. A real LMDB data directory, restarted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import { InProcessBus } from '../../../bus/inprocess.ts';
import { LmdbKv } from '../../../actors/kv/lmdb.ts';
import { silentLogger } from '../../../actors/logger.ts';
import { startControlPlane, type ControlPlane } from '../../../actors/cluster.ts';
import { LEGACY_SIGNING_KEY_KEY, signingKeyPath } from '../../../actors/apiserver/signing-key.ts';

const dirs: string[] = [];
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const saT: ApiTarget = { group: '', version: 'v1', resource: 'serviceaccounts', namespace: 'default' };
const reviewT: ApiTarget = { group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews' };

async function boot(dataDir: string): Promise<ControlPlane & { call: (type: string, payload: unknown) => Promise<any> }> {
  const bus = new InProcessBus();
  const cp = await startControlPlane({ bus, storage: 'lmdb', dataDir, logger: silentLogger });
  const port = bus.register('edge.spec', () => {});
  const call = async (type: string, payload: unknown) => {
    const r = await port.request('apiserver', type as never, payload as never);
    if (!r.ok) throw new Error(r.status.message);
    return r.value;
  };
  return Object.assign(cp, { call });
}

const mint = async (cp: Awaited<ReturnType<typeof boot>>): Promise<string> =>
  (await cp.call('api.create', { target: { ...saT, name: 'default', subresource: 'token' }, object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } })).object.status.token;
const authenticated = async (cp: Awaited<ReturnType<typeof boot>>, token: string): Promise<boolean> =>
  (await cp.call('api.create', { target: reviewT, object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } })).object.status.authenticated;

/** Every record the store holds, as text. */
async function everything(cp: ControlPlane): Promise<string> {
  const r = await cp.backend.range('');
  return JSON.stringify(r.items);
}

test('the key is a 0600 file in the data dir, never in the kv, and tokens outlive a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-sakey-'));
  dirs.push(dir);
  let cp = await boot(dir);
  try {
    await cp.call('api.create', { target: saT, object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } } as KubeObject }).catch(() => {});
    const token = await mint(cp);
    const file = signingKeyPath(dir);
    assert.is(statSync(file).mode & 0o777, 0o600);
    assert.is(statSync(join(dir, 'pki')).mode & 0o077, 0, 'pki/ is private');
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    const [h, p, sig] = token.split('.');
    assert.is(createHmac('sha256', key).update(`${h}.${p}`).digest('base64url'), sig, 'signed with the file key');
    const all = await everything(cp);
    assert.match(all, '/registry/namespaces/default', 'the range read the store');
    assert.not.match(all, 'signing-key');
    assert.not.match(all, key.toString('base64'));
    await cp.stop();
    cp = await boot(dir);
    assert.ok(await authenticated(cp, token), 'the same key after a restart');
  } finally {
    await cp.stop();
  }
});

test('a key an earlier version kept in the kv is deleted at boot; its tokens no longer authenticate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-sakey-legacy-'));
  dirs.push(dir);
  // A data dir as earlier versions left it: the key in the kv, a token signed with it.
  const legacy = Buffer.alloc(32, 7);
  const kv = new LmdbKv({ path: `${dir}/kv` });
  await kv.txn([{ op: 'put', key: LEGACY_SIGNING_KEY_KEY, value: { key: legacy.toString('base64') } }]);
  await kv.close();
  const cp = await boot(dir);
  try {
    await cp.call('api.create', { target: saT, object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } } as KubeObject }).catch(() => {});
    const fresh = await mint(cp);
    const [h, p] = fresh.split('.');
    const forged = `${h}.${p}.${createHmac('sha256', legacy).update(`${h}.${p}`).digest('base64url')}`;
    assert.is(await authenticated(cp, forged), false, 'the old key signs nothing any more');
    assert.ok(await authenticated(cp, fresh));
    assert.is((await cp.backend.get(LEGACY_SIGNING_KEY_KEY)).kv, null, 'deleted from the kv');
    assert.not.match(await everything(cp), legacy.toString('base64'));
  } finally {
    await cp.stop();
  }
});

test.run();
