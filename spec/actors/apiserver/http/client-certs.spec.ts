/**
 * The front's client-certificate authentication (kube-apiserver's --client-ca-file): a
 * certificate from the cluster CA is its CN and O; one from another CA, an expired one or
 * one not meant for client authentication is 401 (unless a bearer token authenticates);
 * a certificate wins over a token; and a connection's identity is its own: requests on
 * other connections, and renegotiation, cannot borrow it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPairSync } from 'node:crypto';
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { generateTls, tlsFiles } from '../../../../actors/apiserver/http/tls/cert.ts';
import { certificateAuthority, issueClientCertificate, signCertificate, validity } from '../../../../actors/apiserver/http/tls/client-certs.ts';
import { userName } from '../../../../actors/apiserver/http/tls/der.ts';
import { startCluster, type Cluster } from '../../../e2e/cluster.ts';

let c: Cluster;
test.before(async () => {
  c = await startCluster();
});
test.after(async () => c.stop());

const clusterCA = () => {
  const f = tlsFiles(c.dir);
  return certificateAuthority(readFileSync(f.caCert, 'utf8'), readFileSync(f.caKey, 'utf8'));
};

interface Whoami {
  status: number;
  username?: string;
  groups?: string[];
}

const REVIEW = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });

/** POSTs a SelfSubjectReview with the given credentials; the user the front answers, or the status. */
function whoami(creds: { cert?: string; key?: string; token?: string; agent?: Agent; maxVersion?: 'TLSv1.2' }): Promise<Whoami & { socket: TLSSocket }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (creds.token) headers.authorization = `Bearer ${creds.token}`;
    const req = request(
      new URL('/apis/authentication.k8s.io/v1/selfsubjectreviews', c.rest.url),
      { method: 'POST', ca: c.rest.ca, cert: creds.cert, key: creds.key, headers, agent: creds.agent ?? false, ...(creds.maxVersion ? { maxVersion: creds.maxVersion } : {}) },
      (res) => {
        const socket = res.socket as TLSSocket;
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { status?: { userInfo?: { username: string; groups: string[] } } };
          resolve({ status, username: body.status?.userInfo?.username, groups: body.status?.userInfo?.groups, socket });
        });
      },
    );
    req.on('error', reject);
    req.end(REVIEW);
  });
}

test('a certificate signed by the cluster CA authenticates as CN in the O groups', async () => {
  const bob = issueClientCertificate(clusterCA(), { user: 'bob', groups: ['dev'], ttlMs: 3600_000, now: Date.now() });
  const r = await whoami(bob);
  assert.is(r.status, 201);
  assert.is(r.username, 'bob');
  assert.equal(r.groups, ['dev', 'system:authenticated']);
});

test('a certificate from another CA, an expired one or a server certificate is 401', async () => {
  const other = generateTls();
  const foreign = issueClientCertificate(certificateAuthority(other.caCert, other.caKey), { user: 'eve', groups: ['system:masters'], ttlMs: 3600_000, now: Date.now() });
  assert.is((await whoami(foreign)).status, 401);

  const ca = clusterCA();
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const expired = signCertificate(ca, { subject: userName('old', []), spki, usages: ['client auth'], notBefore: new Date(Date.now() - 7200_000), notAfter: new Date(Date.now() - 3600_000) });
  assert.is((await whoami({ cert: expired, key })).status, 401);

  const v = validity(ca, Date.now(), 3600_000);
  if ('error' in v) throw new Error(v.error);
  const serverOnly = signCertificate(ca, { subject: userName('server', []), spki, usages: ['server auth'], ...v });
  assert.is((await whoami({ cert: serverOnly, key })).status, 401);

  // A bearer token still authenticates beside a certificate that does not verify (the union authenticator).
  const withToken = await whoami({ ...foreign, token: c.rest.token });
  assert.is(withToken.status, 201);
  assert.is(withToken.username, 'kubeactor-admin');
});

test('a valid certificate wins over a bearer token (x509 is first)', async () => {
  const bob = issueClientCertificate(clusterCA(), { user: 'bob', groups: [], ttlMs: 3600_000, now: Date.now() });
  const r = await whoami({ ...bob, token: c.rest.token });
  assert.is(r.username, 'bob');
  assert.equal(r.groups, ['system:authenticated']);
});

test("a connection's identity stays with it: other connections and renegotiation cannot borrow it", async () => {
  const ca = clusterCA();
  const alice = issueClientCertificate(ca, { user: 'alice', groups: ['a'], ttlMs: 3600_000, now: Date.now() });
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: c.rest.ca, maxVersion: 'TLSv1.2' });
  try {
    const first = await whoami({ ...alice, agent });
    const again = await whoami({ ...alice, agent });
    assert.is(again.socket, first.socket, 'the same kept-alive connection');
    assert.is(again.username, 'alice');
    // Other connections, including one resuming a TLS session of this host, carry no one's identity.
    assert.is((await whoami({})).status, 401);
    assert.is((await whoami({ token: c.rest.token })).username, 'kubeactor-admin');
    // TLS 1.2 renegotiation (which could present another certificate mid-connection) is refused.
    const socket = first.socket;
    const refused = await new Promise<string>((resolve) => {
      socket.once('error', (err) => resolve(`error: ${err.message}`));
      socket.once('close', () => resolve('closed'));
      const started = socket.renegotiate({ rejectUnauthorized: true }, (err) => resolve(err ? `error: ${err.message}` : 'renegotiated'));
      if (!started) resolve('refused locally');
    });
    assert.is.not(refused, 'renegotiated');
  } finally {
    agent.destroy();
  }
});

test.run();
