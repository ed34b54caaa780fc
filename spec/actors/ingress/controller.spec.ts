/**
 * The ingress controller with real sockets on loopback (127.255.48.1, backends on
 * 127.255.49.N): routing by host and path, ready endpoints only, 404 and 503 bodies,
 * X-Forwarded headers, streaming bodies, WebSocket upgrades, certificates chosen by SNI (a
 * Secret that does not parse leaves the default certificate and a Warning event), status,
 * and a configuration change that lets an in-flight request finish.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket, WebSocketServer } from 'ws';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import { DEFAULT_CERTIFICATE_SUBJECT, NOT_FOUND_BODY, startIngressController, type RunningIngress } from '../../../actors/ingress/index.ts';
import { cluster, targets, type Cluster } from '../controllers/helpers.ts';

const ADDRESS = '127.255.48.1';
const dir = mkdtempSync(join(tmpdir(), 'kubeactor-ingress-'));
let c: Cluster;
let ing: RunningIngress;
const backends: Server[] = [];
let backendPort = 0;
let releaseSlow: () => void = () => {};
let slowArrived: () => void = () => {};

/** A backend that names itself and echoes the request headers; /stream echoes each body chunk as it comes. */
function backend(name: string): Server {
  const server = createServer((req, res) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      req.on('data', (d: Buffer) => res.write(`got ${d.toString()}\n`));
      req.on('end', () => res.end('end\n'));
      return;
    }
    const answer = () => res.end(`backend: ${name}\nurl: ${req.url}\n${JSON.stringify(req.headers)}\n`);
    if (req.url === '/slow') {
      slowArrived();
      new Promise<void>((r) => (releaseSlow = r)).then(answer);
      return;
    }
    answer();
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`${name} echo: ${m.toString()}`)));
  backends.push(server);
  return server;
}

const listen = (s: Server, host: string, port: number) => new Promise<number>((ok, fail) => {
  s.once('error', fail);
  s.listen(port, host, () => ok((s.address() as AddressInfo).port));
});

interface Answer { status: number; body: string }
function get(host: string, path: string, port = ing.httpPort): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request({ host: ADDRESS, port, path, headers: { host } }, (res) => collect(res).then(resolve, reject)).on('error', reject).end();
  });
}
async function collect(res: IncomingMessage): Promise<Answer> {
  let body = '';
  for await (const d of res) body += d;
  return { status: res.statusCode ?? 0, body };
}

const create = (object: KubeObject, target: ApiTarget = targets.ingresses('default')) => c.h.client().must('api.create', { target, object });
const rule = (host: string, paths: [string, string, string, string | number][]) => ({
  host,
  http: { paths: paths.map(([path, pathType, service, port]) => ({ path, pathType, backend: { service: { name: service, port: typeof port === 'number' ? { number: port } : { name: port } } } })) },
});
const ingress = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name }, spec });
const service = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
const slice = (svc: string, ips: [string, boolean][]): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${svc}-abc`, labels: { 'kubernetes.io/service-name': svc } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }],
  endpoints: ips.map(([ip, ready]) => ({ addresses: [ip], conditions: { ready } })),
});

function openssl(host: string, keyType: 'rsa' | 'ec'): { cert: string; key: string } {
  const key = join(dir, `${host}.key`);
  const cert = join(dir, `${host}.crt`);
  const newkey = keyType === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  execFileSync('openssl', ['req', '-x509', ...newkey, '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`], { stdio: 'ignore' });
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}
const tlsSecret = (name: string, data: { cert: string; key: string }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': Buffer.from(data.cert).toString('base64'), 'tls.key': Buffer.from(data.key).toString('base64') },
});

test.before(async () => {
  c = await cluster('');
  ing = await startIngressController(c.h.host, { address: ADDRESS, httpPort: 0, httpsPort: 0 });
  backendPort = await listen(backend('one'), '127.255.49.1', 0);
  await listen(backend('two'), '127.255.49.2', backendPort);
  await listen(backend('three'), '127.255.49.3', backendPort);
  await create(service('web'), targets.services('default'));
  await create(service('api'), targets.services('default'));
  await create(service('idle'), targets.services('default'));
  await create(slice('web', [['127.255.49.1', true], ['127.255.49.2', true], ['127.255.49.9', false]]), targets.endpointslices('default'));
  await create(slice('api', [['127.255.49.3', true]]), targets.endpointslices('default'));
  await create(slice('idle', [['127.255.49.1', false]]), targets.endpointslices('default'));
});

test.after(async () => {
  await ing.stop();
  for (const s of backends) s.closeAllConnections();
  await Promise.all(backends.map((s) => new Promise((r) => s.close(r))));
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

test('routes by host and path to ready endpoints, round robin; the class default is set and the status names the listen address', async () => {
  await create(ingress('site', { rules: [rule('www.example.test', [['/', 'Prefix', 'web', 80], ['/api', 'Prefix', 'api', 'http']]), rule('*.apps.example.test', [['/', 'Prefix', 'api', 80]])] }));
  await c.advance(500);
  const stored = (await c.get<Ingress>(targets.ingresses('default', 'site')))!;
  assert.is(stored.spec?.ingressClassName, 'kubeactor', 'DefaultIngressClass admission');
  assert.equal(stored.status?.loadBalancer?.ingress, [{ ip: ADDRESS }]);
  const names = new Set<string>();
  for (let i = 0; i < 4; i++) names.add(/backend: (\w+)/.exec((await get('www.example.test', '/index.html')).body)![1]!);
  assert.equal([...names].sort(), ['one', 'two'], 'both ready endpoints, never the unready one');
  assert.match((await get('www.example.test:8080', '/api/v1')).body, 'backend: three');
  assert.match((await get('x.apps.example.test', '/')).body, 'backend: three');
  const headers = JSON.parse((await get('www.example.test', '/h')).body.split('\n')[2]!) as Record<string, string>;
  assert.is(headers['x-forwarded-for'], '127.0.0.1');
  assert.is(headers['x-forwarded-proto'], 'http');
  assert.is(headers['x-forwarded-host'], 'www.example.test');
  // The port the client connected to, though the Host header names none (not 80).
  assert.is(headers['x-forwarded-port'], String(ing.httpPort));
});

test('nothing matches: the default backend 404; no ready endpoint: a 503 that says why', async () => {
  await create(ingress('idle', { rules: [rule('idle.example.test', [['/', 'Prefix', 'idle', 80]]), rule('gone.example.test', [['/', 'Prefix', 'nosuch', 80]])] }));
  await c.advance(500);
  assert.equal(await get('nowhere.example.test', '/'), { status: 404, body: NOT_FOUND_BODY });
  assert.equal(await get('idle.example.test', '/'), { status: 503, body: '503 Service Temporarily Unavailable: service "default/idle" has no ready endpoints for port 80\n' });
  assert.equal(await get('gone.example.test', '/'), { status: 503, body: '503 Service Temporarily Unavailable: service "default/nosuch" not found\n' });
});

test('bodies stream both ways and WebSocket upgrades pass through', async () => {
  const req = request({ host: ADDRESS, port: ing.httpPort, path: '/stream', method: 'POST', headers: { host: 'x.apps.example.test' } });
  const response = new Promise<IncomingMessage>((resolve, reject) => req.on('response', resolve).on('error', reject));
  req.write('one');
  const res = await response;
  const chunks: string[] = [];
  const first = new Promise<void>((r) => res.once('data', (d: Buffer) => { chunks.push(d.toString()); r(); }));
  await first;
  assert.equal(chunks, ['got one\n'], 'the first chunk came back before the request ended');
  req.end('two');
  for await (const d of res) chunks.push(String(d));
  assert.is(chunks.join(''), 'got one\ngot two\nend\n');

  const ws = new WebSocket(`ws://${ADDRESS}:${ing.httpPort}/ws`, { headers: { host: 'x.apps.example.test' } });
  await new Promise((ok, fail) => ws.once('open', ok).once('error', fail));
  const reply = new Promise<string>((r) => ws.once('message', (m) => r(m.toString())));
  ws.send('ping');
  assert.is(await reply, 'three echo: ping');
  ws.close();
});

test('HTTPS: the certificate by SNI from its Secret; a Secret that does not parse leaves the default certificate and a Warning', async () => {
  const good = openssl('secure.example.test', 'rsa');
  const ec = openssl('ec.example.test', 'ec');
  await create(tlsSecret('secure-tls', good), targets.secrets('default'));
  await create(tlsSecret('ec-tls', ec), targets.secrets('default'));
  await create(tlsSecret('broken-tls', { cert: '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n', key: good.key }), targets.secrets('default'));
  await create(ingress('secure', {
    tls: [{ hosts: ['secure.example.test'], secretName: 'secure-tls' }, { hosts: ['ec.example.test'], secretName: 'ec-tls' }, { hosts: ['broken.example.test'], secretName: 'broken-tls' }],
    rules: [rule('secure.example.test', [['/', 'Prefix', 'api', 80]]), rule('broken.example.test', [['/', 'Prefix', 'api', 80]])],
  }));
  await c.advance(500);
  const body = await new Promise<Answer>((resolve, reject) => {
    httpsRequest({ host: ADDRESS, port: ing.httpsPort, path: '/tls', servername: 'secure.example.test', ca: good.cert, headers: { host: 'secure.example.test' } }, (res) => collect(res).then(resolve, reject)).on('error', reject).end();
  });
  assert.is(body.status, 200, 'verified against the Secret\'s certificate');
  assert.match(body.body, '"x-forwarded-proto":"https"');
  assert.match(body.body, `"x-forwarded-port":"${ing.httpsPort}"`);
  const subject = (servername: string) => new Promise<string>((resolve, reject) => {
    const s = tlsConnect({ host: ADDRESS, port: ing.httpsPort, servername, rejectUnauthorized: false }, () => {
      resolve(String(s.getPeerCertificate().subject.CN));
      s.end();
    });
    s.on('error', reject);
  });
  assert.is(await subject('secure.example.test'), 'secure.example.test', 'an RSA certificate');
  assert.is(await subject('ec.example.test'), 'ec.example.test', 'an ECDSA certificate');
  assert.is(await subject('broken.example.test'), DEFAULT_CERTIFICATE_SUBJECT);
  assert.is(await subject('unknown.example.test'), DEFAULT_CERTIFICATE_SUBJECT);
  const events = (await c.list<{ reason: string; type: string; message: string; involvedObject: { name: string } }>(targets.events('default'))).filter((e) => e.involvedObject.name === 'secure' && e.reason === 'InvalidTLSSecret');
  assert.is(events.length, 1);
  assert.is(events[0]!.type, 'Warning');
  assert.match(events[0]!.message, /^Error obtaining X\.509 certificate: secret "default\/broken-tls" does not hold a valid certificate and key: .+; host broken\.example\.test is served with the default certificate$/);
});

test('an Ingress of another class is neither served nor given a status', async () => {
  await create({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'other' }, spec: { controller: 'example.com/other' } }, targets.ingressclasses());
  await create(ingress('theirs', { ingressClassName: 'other', rules: [rule('theirs.example.test', [['/', 'Prefix', 'api', 80]])] }));
  await c.advance(500);
  assert.is((await get('theirs.example.test', '/')).status, 404);
  assert.is((await c.get<Ingress>(targets.ingresses('default', 'theirs')))!.status?.loadBalancer?.ingress, undefined);
});

test('a configuration change lets an in-flight request finish; the next request sees the change', async () => {
  await create(ingress('slow', { rules: [rule('slow.example.test', [['/slow', 'Exact', 'api', 80]])] }));
  await c.advance(500);
  const arrived = new Promise<void>((r) => (slowArrived = r));
  const inFlight = get('slow.example.test', '/slow');
  await arrived;
  await c.h.client().must('api.delete', { target: targets.ingresses('default', 'slow') });
  await c.advance(500);
  assert.is((await get('slow.example.test', '/slow')).status, 404, 'the route is gone for new requests');
  releaseSlow();
  const done = await inFlight;
  assert.is(done.status, 200);
  assert.match(done.body, 'backend: three\nurl: /slow');
});

test.run();
