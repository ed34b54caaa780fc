/**
 * Users with client certificates, with the real kubectl: a CertificateSigningRequest made
 * with openssl, approved with `kubectl certificate approve`, signed by the csrsigning
 * controller with the cluster CA, then used in a kubeconfig (`kubectl auth whoami`); and
 * `kubeactor kubeconfig --user` for the same in one step.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { kubeconfigDocument } from '../../actors/apiserver/http/kubeconfig.ts';
import { tlsFiles } from '../../actors/apiserver/http/tls/cert.ts';
import { eventually } from '../helpers/wait.ts';
import { startCluster, type Cluster, type Run } from './cluster.ts';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));

let c: Cluster;
test.before(async () => {
  c = await startCluster({
    controllers: 'csrsigning',
    controllerOptions: (dir) => ({ csrsigning: { 'cluster-signing-cert-file': tlsFiles(dir).caCert, 'cluster-signing-key-file': tlsFiles(dir).caKey } }),
  });
});
test.after(async () => c.stop());

/** A new ECDSA key and a PEM CSR for `subject` ("/CN=carol/O=qa"), made by openssl. */
function keyAndRequest(name: string, subject: string): { key: string; csr: string } {
  const key = join(c.dir, `${name}.key`);
  const csr = join(c.dir, `${name}.csr`);
  execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', subject], { stdio: 'ignore' });
  return { key: readFileSync(key, 'utf8'), csr: readFileSync(csr, 'utf8') };
}

function csrManifest(name: string, csr: string, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(csr).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...spec },
  });
}

/** A kubeconfig for the cluster with a client certificate; its path. */
function certKubeconfig(name: string, cert: string, key: string): string {
  const path = join(c.dir, `${name}.kubeconfig`);
  writeFileSync(path, stringify(kubeconfigDocument({ server: c.rest.url, caCert: c.rest.ca, clientCertificate: { cert, key }, user: name })));
  return path;
}

const must = (r: Run, what: string): string => {
  assert.is(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
};

const issued = (name: string): Promise<string> =>
  eventually(async () => (await c.kubectl(['get', 'csr', name, '-o', 'jsonpath={.status.certificate}'])).stdout.trim(), { timeoutMs: 10_000, what: `csr ${name} issued` });

test('create, approve and use a CSR: the signer issues a certificate the front accepts as CN and O', async () => {
  const { key, csr } = keyAndRequest('carol', '/CN=carol/O=qa/O=ops');
  // spec.username in the body is ignored: the apiserver stamps the requester.
  must(await c.kubectl(['create', '-f', '-'], csrManifest('carol', csr, { expirationSeconds: 86400, username: 'system:admin', groups: ['spoofed'] })), 'create');
  const pending = must(await c.kubectl(['get', 'csr', 'carol']), 'get');
  assert.match(pending, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\n/);
  assert.match(pending, /carol\s+\S+\s+kubernetes\.io\/kube-apiserver-client\s+kubeactor-admin\s+24h\s+Pending\n/);
  const spec = JSON.parse(must(await c.kubectl(['get', 'csr', 'carol', '-o', 'jsonpath={.spec}']), 'spec')) as { username: string; groups: string[] };
  assert.is(spec.username, 'kubeactor-admin');
  assert.equal(spec.groups, ['system:masters', 'system:authenticated']);

  assert.match(must(await c.kubectl(['certificate', 'approve', 'carol']), 'approve'), 'certificatesigningrequest.certificates.k8s.io/carol approved');
  const pem = Buffer.from(await issued('carol'), 'base64').toString();
  assert.match(must(await c.kubectl(['get', 'csr', 'carol']), 'get'), /carol\s+.*\s+Approved,Issued\n/);
  const x = new X509Certificate(pem);
  assert.ok(x.checkIssued(new X509Certificate(c.rest.ca)), 'signed by the cluster CA');
  assert.match(x.subject, 'CN=carol');
  // expirationSeconds is honoured: a day, backdated five minutes.
  assert.is(Date.parse(x.validTo) - Date.parse(x.validFrom), 86400_000);
  assert.equal(x.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  const condition = JSON.parse(must(await c.kubectl(['get', 'csr', 'carol', '-o', 'jsonpath={.status.conditions[0]}']), 'conditions')) as Record<string, string>;
  assert.is(condition.type, 'Approved');
  assert.is(condition.reason, 'KubectlApprove');
  assert.ok(condition.lastUpdateTime);

  const whoami = must(await c.kubectl(['--kubeconfig', certKubeconfig('carol', pem, key), 'auth', 'whoami']), 'whoami');
  assert.match(whoami, /Username\s+carol\n/);
  assert.match(whoami, /Groups\s+\[qa ops system:authenticated\]\n/);
});

test('the requester stamped on a CSR carries its uid and extra: an impersonated user\'s, from kubectl --as-uid and a kubeconfig\'s as-user-extra', async () => {
  const { csr } = keyAndRequest('frank', '/CN=frank');
  // The admin's kubeconfig, impersonating a user with a uid, a group and an extra (kubectl has no flag for extras; its kubeconfig has).
  const doc = parse(readFileSync(c.kubeconfig, 'utf8')) as { users: { user: Record<string, unknown> }[] };
  Object.assign(doc.users[0]!.user, { as: 'frank', 'as-uid': 'u-frank-7', 'as-groups': ['qa'], 'as-user-extra': { scopes: ['csr', 'view'] } });
  const impersonating = join(c.dir, 'impersonating.kubeconfig');
  writeFileSync(impersonating, stringify(doc));
  // frank may create CSRs but nothing else: what is stamped is who asked, not what the body says.
  must(await c.kubectl(['create', 'clusterrole', 'csr-creator', '--verb=create,get', '--resource=certificatesigningrequests.certificates.k8s.io']), 'role');
  must(await c.kubectl(['create', 'clusterrolebinding', 'frank-csr', '--clusterrole=csr-creator', '--user=frank']), 'binding');
  must(await c.kubectl(['--kubeconfig', impersonating, 'create', '-f', '-'], csrManifest('frank', csr, { username: 'root', uid: 'forged', extra: { scopes: ['admin'] } })), 'create as frank');
  const spec = JSON.parse(must(await c.kubectl(['get', 'csr', 'frank', '-o', 'jsonpath={.spec}']), 'spec')) as Record<string, unknown>;
  assert.is(spec.username, 'frank');
  assert.is(spec.uid, 'u-frank-7');
  assert.equal(spec.groups, ['qa', 'system:authenticated']);
  assert.equal(spec.extra, { scopes: ['csr', 'view'] });
  assert.match(must(await c.kubectl(['get', 'csr', 'frank']), 'get'), /frank\s+\S+\s+kubernetes\.io\/kube-apiserver-client\s+frank\s+/);
});

test('a denied CSR is never signed; one asking a usage its signer does not issue fails', async () => {
  const denied = keyAndRequest('dave', '/CN=dave');
  must(await c.kubectl(['create', '-f', '-'], csrManifest('dave', denied.csr)), 'create dave');
  assert.match(must(await c.kubectl(['certificate', 'deny', 'dave']), 'deny'), 'certificatesigningrequest.certificates.k8s.io/dave denied');
  const server = keyAndRequest('erin', '/CN=erin');
  must(await c.kubectl(['create', '-f', '-'], csrManifest('erin', server.csr, { usages: ['client auth', 'server auth'] })), 'create erin');
  must(await c.kubectl(['certificate', 'approve', 'erin']), 'approve erin');
  const failed = await eventually(async () => (await c.kubectl(['get', 'csr', 'erin', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].message}'])).stdout, { timeoutMs: 10_000, what: 'erin Failed' });
  assert.is(failed, 'invalid usage for client certificate: server auth');
  const table = must(await c.kubectl(['get', 'csr']), 'get csr');
  assert.match(table, /dave\s+.*\s+Denied\n/);
  assert.match(table, /erin\s+.*\s+Approved,Failed\n/);
  assert.is((await c.kubectl(['get', 'csr', 'dave', '-o', 'jsonpath={.status.certificate}'])).stdout, '');
  // A kubelet's signer issues only system:node:<name> in system:nodes.
  const kubelet = keyAndRequest('kubelet', '/CN=mallory/O=system:nodes');
  must(await c.kubectl(['create', '-f', '-'], csrManifest('kubelet', kubelet.csr, { signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] })), 'create kubelet');
  must(await c.kubectl(['certificate', 'approve', 'kubelet']), 'approve kubelet');
  const refused = await eventually(async () => (await c.kubectl(['get', 'csr', 'kubelet', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].message}'])).stdout, { timeoutMs: 10_000, what: 'kubelet Failed' });
  assert.is(refused, 'subject common name does not begin with system:node:');
});

test('a CSR is validated as Kubernetes validates it', async () => {
  const { csr } = keyAndRequest('frank', '/CN=frank');
  const notPem = await c.kubectl(['create', '-f', '-'], csrManifest('bad-pem', 'hello'));
  assert.is(notPem.code, 1);
  assert.match(notPem.stderr, /The CertificateSigningRequest "bad-pem" is invalid: spec.request: Invalid value: \[\]byte\{0x68, 0x65, 0x6c, 0x6c, 0x6f\}: PEM block type must be CERTIFICATE REQUEST/);
  // A request whose signature does not verify: the last bytes of the signature changed.
  const der = Buffer.from(csr.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
  der[der.length - 2] = der[der.length - 2]! ^ 0xff;
  const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  const badSig = await c.kubectl(['create', '-f', '-'], csrManifest('bad-sig', forged));
  assert.match(badSig.stderr, /spec.request: Invalid value: \[\]byte\{.*\}: x509: (ECDSA verification failure|malformed certificate request)/);
  const short = await c.kubectl(['create', '-f', '-'], csrManifest('short', csr, { expirationSeconds: 599, usages: [], signerName: '' }));
  assert.match(short.stderr, 'spec.usages: Required value');
  assert.match(short.stderr, 'spec.signerName: Required value');
  assert.match(short.stderr, 'spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)');
  const unknown = await c.kubectl(['create', '-f', '-'], csrManifest('unknown', csr, { usages: ['client auth', 'flying'], signerName: 'kubernetes.io/kube-apiserver-client' }));
  assert.match(unknown.stderr, 'spec.usages[1]: Unsupported value: "flying": supported values: "any", "cert sign"');
});

function runCli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

test('kubeactor kubeconfig --user writes a kubeconfig whose certificate authenticates as that user', async () => {
  const r = await runCli(['kubeconfig', '--user', 'alice', '--group', 'dev', '--ttl', '48h', '--data-dir', c.dir]);
  assert.is(r.code, 0, r.stderr);
  const path = join(c.dir, 'users', 'alice.kubeconfig');
  assert.match(r.stdout, `kubeconfig: ${path} (user alice, groups dev; certificate valid until `);
  assert.match(r.stdout, `kubectl --kubeconfig ${path} auth whoami`);
  assert.is(statSync(path).mode & 0o777, 0o600);
  const whoami = must(await c.kubectl(['--kubeconfig', path, 'auth', 'whoami']), 'whoami');
  assert.match(whoami, /Username\s+alice\n/);
  assert.match(whoami, /Groups\s+\[dev system:authenticated\]\n/);
  const doc = readFileSync(path, 'utf8');
  assert.match(doc, `server: ${c.rest.url}`);
  assert.match(doc, 'current-context: alice@kubeactor');
  const cert = new X509Certificate(Buffer.from(/client-certificate-data: (\S+)/.exec(doc)![1]!, 'base64'));
  assert.is(Date.parse(cert.validTo) - Date.parse(cert.validFrom), 48 * 3600_000);

  const help = await runCli(['kubeconfig', '--help']);
  assert.match(help.stdout, 'Usage: kubeactor kubeconfig --user NAME [--group GROUP]... [--ttl D] [--data-dir DIR] [-o FILE]');
  const noUser = await runCli(['kubeconfig', '--data-dir', c.dir]);
  assert.is(noUser.code, 2);
  assert.match(noUser.stderr, '--user is required');
  const badTtl = await runCli(['kubeconfig', '--user', 'x', '--ttl', '3 days', '--data-dir', c.dir]);
  assert.is(badTtl.code, 2);
  assert.match(badTtl.stderr, '--ttl must be a positive duration');
});

test.run();
