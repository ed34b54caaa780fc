import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { parse } from 'yaml';
import { writeKubeconfig } from '../../../../actors/apiserver/http/kubeconfig.ts';
import { loadOrCreateToken } from '../../../../actors/apiserver/http/token.ts';
import { loadOrCreateTls } from '../../../../actors/apiserver/http/tls/cert.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-kubeconfig-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the certificate is signed by the CA, for 127.0.0.1 and localhost, and survives restarts', async () => {
  const tls = await loadOrCreateTls(dir);
  const ca = new X509Certificate(tls.caCert);
  const cert = new X509Certificate(tls.cert);
  assert.ok(ca.ca);
  assert.ok(cert.verify(ca.publicKey));
  assert.ok(cert.checkIP('127.0.0.1'));
  assert.ok(cert.checkHost('localhost'));
  assert.not.ok(cert.checkIP('10.0.0.1'));
  assert.equal(await loadOrCreateTls(dir), tls);
});

test('the token is made once per data directory, private to its owner', async () => {
  const token = await loadOrCreateToken(dir);
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.is(await loadOrCreateToken(dir), token);
  assert.is(statSync(join(dir, 'pki', 'token')).mode & 0o077, 0);
});

test('the kubeconfig names cluster, user and context kubeactor, with the CA and the token', async () => {
  const tls = await loadOrCreateTls(dir);
  const path = await writeKubeconfig({ dataDir: dir, server: 'https://127.0.0.1:6443', token: 'tok', caCert: tls.caCert });
  assert.is(path, join(dir, 'kubeconfig'));
  assert.is(statSync(path).mode & 0o077, 0);
  const cfg = parse(readFileSync(path, 'utf8'));
  assert.is(cfg['current-context'], 'kubeactor');
  assert.equal(cfg.contexts, [{ name: 'kubeactor', context: { cluster: 'kubeactor', user: 'kubeactor' } }]);
  assert.equal(cfg.users, [{ name: 'kubeactor', user: { token: 'tok' } }]);
  assert.is(cfg.clusters[0].cluster.server, 'https://127.0.0.1:6443');
  assert.is(Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), tls.caCert);
});

test.run();
