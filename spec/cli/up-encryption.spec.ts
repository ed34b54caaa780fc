import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runCli } from '../helpers/cli.ts';
import { LmdbKv } from '../../actors/kv/lmdb.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'kubeactor-encrypt-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const dataDir = join(dir, 'data');
const kubeconfig = join(dataDir, 'kubeconfig');
const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir };
const kubectl = async (...args: string[]) => (await run('kubectl', ['--request-timeout=20s', ...args], { env })).stdout.trim();

const PLAIN = `s3cret-${randomBytes(6).toString('hex')}`;
const MARKER = `visible-${randomBytes(6).toString('hex')}`;
const KEY1 = randomBytes(32).toString('base64');
const KEY2 = randomBytes(32).toString('base64');

/** An EncryptionConfiguration file for secrets: aescbc with these keys, in order. */
function configFile(name: string, ...keys: [string, string][]): string {
  const path = join(dir, `${name}.yaml`);
  const list = keys.map(([n, s]) => `            - name: ${n}\n              secret: ${s}`).join('\n');
  writeFileSync(path, `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources:\n      - secrets\n    providers:\n      - aescbc:\n          keys:\n${list}\n      - identity: {}\n`);
  return path;
}

/** Runs `kubeactor up` on the one data dir with this configuration, runs `body`, and stops it. */
async function withCluster(config: string, body: () => Promise<void>, extra: string[] = []): Promise<string> {
  const proc = runCli(['up', '--data-dir', dataDir, '--port', '0', '--nodes', '0', '--default-runtime', 'sim', '--encryption-provider-config', config, ...extra]);
  try {
    await proc.waitFor('ready.', 30_000);
    await body();
  } finally {
    assert.is(await proc.stop('SIGTERM'), 0, proc.output());
  }
  return proc.output();
}

/** Every file of the store, as bytes (latin1 keeps each byte one character). */
function storeBytes(): string {
  const kv = join(dataDir, 'kv');
  const files = statSync(kv).isDirectory() ? readdirSync(kv).map((f) => join(kv, f)) : [kv];
  return files.map((f) => readFileSync(f).toString('latin1')).join('');
}

/** The stored value of a key as the kv holds it (the cluster must be stopped). */
async function rawValue(key: string): Promise<string> {
  const kv = new LmdbKv({ path: join(dataDir, 'kv') });
  try {
    const v = (await kv.get(key)).kv?.value;
    assert.instance(v, Uint8Array, `${key} is stored as bytes`);
    return Buffer.from(v as Uint8Array).toString('latin1');
  } finally {
    await kv.close();
  }
}

test('a bad configuration file stops up before anything starts, with the reason', async () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - aescbc:\n          keys:\n            - name: k\n              secret: ${Buffer.alloc(5).toString('base64')}\n`);
  const other = join(dir, 'never');
  const proc = runCli(['up', '--data-dir', other, '--port', '0', '--nodes', '0', '--default-runtime', 'sim', '--encryption-provider-config', bad]);
  assert.is(await proc.exited(), 1);
  assert.match(proc.output(), 'kubeactor up: error while loading encryption config: error while parsing file: resources[0].providers[0].aescbc.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 5, expected one of [16 24 32]');
  assert.not.match(proc.output(), 'bus:');
  assert.is(existsSync(other), false, 'no data dir was made');
  const missing = runCli(['up', '--data-dir', other, '--port', '0', '--nodes', '0', '--default-runtime', 'sim', '--encryption-provider-config', join(dir, 'nope.yaml')]);
  assert.is(await missing.exited(), 1);
  assert.match(missing.output(), /error while loading encryption config: error while parsing file: error opening encryption provider configuration file ".*nope\.yaml"/);
});

test('a Secret made with kubectl is ciphertext in the LMDB files and in a recording, and reads back; key rotation as documented', async () => {
  const recording = join(dir, 'run.log');
  const out = await withCluster(configFile('one', ['key1', KEY1]), async () => {
    assert.match(await kubectl('create', 'secret', 'generic', 'db', `--from-literal=password=${PLAIN}`), 'secret/db created');
    await kubectl('create', 'configmap', 'plain', `--from-literal=note=${MARKER}`);
    assert.is(await kubectl('get', 'secret', 'db', '-o', 'jsonpath={.data.password}'), Buffer.from(PLAIN).toString('base64'));
  }, ['--record', recording]);
  assert.match(out, 'encryption at rest: secrets: aescbc key key1');
  const bytes = storeBytes();
  assert.match(bytes, MARKER, 'the scan sees what is stored in the clear (a ConfigMap)');
  assert.not.match(bytes, PLAIN);
  assert.not.match(bytes, Buffer.from(PLAIN).toString('base64'));
  assert.ok((await rawValue('/registry/secrets/default/db')).startsWith('k8s:enc:aescbc:v1:key1:'));
  const log = readFileSync(recording).toString('latin1');
  assert.not.match(log, PLAIN);
  assert.not.match(log, Buffer.from(PLAIN).toString('base64'));

  // 1. key2 added second: everything still reads, key1 still encrypts.
  await withCluster(configFile('two', ['key1', KEY1], ['key2', KEY2]), async () => {
    assert.is(await kubectl('get', 'secret', 'db', '-o', 'jsonpath={.data.password}'), Buffer.from(PLAIN).toString('base64'));
    await kubectl('create', 'secret', 'generic', 'db2', `--from-literal=password=${PLAIN}`);
  });
  assert.ok((await rawValue('/registry/secrets/default/db2')).startsWith('k8s:enc:aescbc:v1:key1:'));
  // 2. key2 first, then every Secret rewritten.
  await withCluster(configFile('three', ['key2', KEY2], ['key1', KEY1]), async () => {
    // As upstream documents it: kubectl validates the List against /openapi/v2.
    const { stdout } = await promisify(exec)('kubectl get secrets -A -o json | kubectl replace -f -', { env });
    assert.match(stdout, 'secret/db replaced');
  });
  for (const name of ['db', 'db2']) assert.ok((await rawValue(`/registry/secrets/default/${name}`)).startsWith('k8s:enc:aescbc:v1:key2:'), name);
  // 3. key1 removed: nothing needed it any more.
  await withCluster(configFile('four', ['key2', KEY2]), async () => {
    assert.is(await kubectl('get', 'secret', 'db2', '-o', 'jsonpath={.data.password}'), Buffer.from(PLAIN).toString('base64'));
    assert.match(await kubectl('get', 'secrets', '-A'), 'db2');
  });
  assert.not.match(storeBytes(), PLAIN);
});

test.run();
