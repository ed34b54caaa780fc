/**
 * kube-proxy's actor carries real traffic: two nodes' proxies on a control plane with a
 * virtual clock, Services and EndpointSlices written as the endpointslice controller would,
 * and real TCP/UDP backends that say who answered — all on this spec's own addresses in
 * 127.255.128.0/17 (node IPs 127.255.200.x, backends 127.255.250.x, ClusterIPs from 127.255.128.0/20;
 * the half-close, UDP flow and externalIP cases use 127.246.x: backends 127.246.250.x, externalIPs
 * 127.246.7.x).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import { targets } from '../../../actors/client/index.ts';
import { startKubeProxy, type RunningKubeProxy } from '../../../actors/kube-proxy/index.ts';
import { start, type Harness } from '../apiserver/harness.ts';
import { ActorHost } from '../../../actors/host.ts';
import { memoryLogger } from '../../../actors/logger.ts';
import { UDP_IDLE_MS } from '../../../actors/net/forward.ts';
import { eventually } from '../../helpers/wait.ts';
import { tcpRead } from '../../helpers/tcp.ts';

const NODES = { 'node-a': '127.255.200.1', 'node-b': '127.255.200.2' } as const;
const BACKENDS = ['127.255.250.2', '127.255.250.3', '127.255.250.4'];
const HEALTHZ = 20256;
let h: Harness;
let proxies: RunningKubeProxy[] = [];
const servers: Array<Server | UdpSocket> = [];

async function setReady(name: keyof typeof NODES, ready: boolean): Promise<void> {
  const c = h.client();
  const cur = (await c.call('api.get', { target: targets.nodes(undefined, name) as ApiTarget }));
  const base = cur.ok ? (cur.value as KubeObject) : (await c.must('api.create', { target: targets.nodes() as ApiTarget, object: { apiVersion: 'v1', kind: 'Node', metadata: { name } } })).object;
  const status = { addresses: [{ type: 'InternalIP', address: NODES[name] }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown', reason: ready ? 'KubeletReady' : 'NodeStatusUnknown' }] };
  await c.must('api.update', { target: targets.nodes(undefined, name, 'status') as ApiTarget, object: { ...base, status } as KubeObject });
}

test.before.each(async () => {
  h = await start({ serviceCidr: '127.255.128.0/20' });
  await setReady('node-a', true);
  await setReady('node-b', true);
  for (const ip of BACKENDS) {
    const s = createServer((sock) => sock.end(ip));
    await new Promise<void>((resolve) => s.listen({ host: ip, port: 8080 }, resolve));
    servers.push(s);
  }
  proxies = Object.entries(NODES).map(([nodeName, nodeIP]) => startKubeProxy(h.host, { nodeName, nodeIP, healthzPort: HEALTHZ }));
});
test.after.each(async () => {
  for (const p of proxies) p.stop();
  for (const s of servers.splice(0)) s.close();
  await h.close();
});

const ask = tcpRead;
const ep = (ip: string, nodeName: string, conditions: Endpoint['conditions'] = { ready: true }): Endpoint => ({ addresses: [ip], nodeName, conditions });
async function writeSlice(service: string, endpoints: Endpoint[], ports: EndpointSlice['ports'] = [{ name: 'http', port: 8080, protocol: 'TCP' }]): Promise<void> {
  const c = h.client();
  const object = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${service}-abc`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', endpoints, ports } as KubeObject;
  const cur = await c.call('api.get', { target: targets.endpointslices('default', `${service}-abc`) as ApiTarget });
  if (cur.ok) await c.must('api.update', { target: targets.endpointslices('default', `${service}-abc`) as ApiTarget, object: { ...object, metadata: { ...object.metadata, resourceVersion: (cur.value as KubeObject).metadata?.resourceVersion } } });
  else await c.must('api.create', { target: targets.endpointslices('default') as ApiTarget, object });
}
async function createService(name: string, spec: Record<string, unknown>): Promise<Service> {
  const object = { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }], ...spec } } as KubeObject;
  return (await h.client().must('api.create', { target: targets.services('default') as ApiTarget, object })).object as Service;
}
/** The answers of `n` connections in a row. */
async function answers(ip: string, port: number, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await ask(ip, port));
  return out;
}
const listening = (p: RunningKubeProxy) => p.listening().sort();
const until = <T>(check: () => Promise<T> | T, what: string) => eventually(async () => {
  await h.settle();
  return check();
}, { timeoutMs: 5000, intervalMs: 20, what });

test('the ClusterIP (bound by node-a only) and the NodePort on each node IP spread connections over the ready endpoints', async () => {
  const svc = await createService('web', { type: 'NodePort', ports: [{ name: 'http', port: 8081, targetPort: 'http', nodePort: 30981 }] });
  const ip = svc.spec!.clusterIP!;
  assert.match(ip, /^127\.255\.1(2[89]|3\d|4[0-3])\.\d+$/);
  await writeSlice('web', [ep(BACKENDS[0]!, 'node-a'), ep(BACKENDS[1]!, 'node-b'), ep(BACKENDS[2]!, 'node-b', { ready: false })]);
  await until(() => listening(proxies[1]!).length === 1 && listening(proxies[0]!).length === 2, 'both proxies listening');
  assert.equal(listening(proxies[0]!), [`${ip}:TCP/8081`, '127.255.200.1:TCP/30981'].sort());
  assert.equal(listening(proxies[1]!), ['127.255.200.2:TCP/30981'], 'node-b is the standby for ClusterIPs');
  for (const [host, port] of [[ip, 8081], [NODES['node-a'], 30981], [NODES['node-b'], 30981]] as const) {
    assert.equal(new Set(await answers(host, port, 4)), new Set([BACKENDS[0], BACKENDS[1]]), `${host}:${port} spreads over the two ready endpoints only`);
  }
  const healthz = await fetch(`http://${NODES['node-b']}:${HEALTHZ}/healthz`);
  assert.is(healthz.status, 200);
  assert.equal(Object.keys(await healthz.json() as object), ['lastUpdated', 'currentTime', 'nodeEligible']);
});

test('no endpoints refuses at once; a removed endpoint drains (its open connection finishes); a deleted Service closes its ports', async () => {
  const svc = await createService('drain', { type: 'NodePort', ports: [{ name: 'http', port: 8082, targetPort: 8080, nodePort: 30982 }] });
  const ip = svc.spec!.clusterIP!;
  await h.settle();
  assert.is(await ask(ip, 8082), 'refused', 'a Service without endpoints refuses');
  // A backend that holds its connection open until told.
  const slow = createServer((sock) => sock.on('data', () => sock.end('slow done')));
  await new Promise<void>((resolve) => slow.listen({ host: '127.255.250.9', port: 8080 }, resolve));
  servers.push(slow);
  await writeSlice('drain', [ep('127.255.250.9', 'node-a')]);
  await until(() => listening(proxies[0]!).includes(`${ip}:TCP/8082`), 'the ClusterIP listening');
  const open = connect({ host: ip, port: 8082 });
  await new Promise((resolve) => open.once('connect', resolve));
  const reply = new Promise<string>((resolve) => { let got = ''; open.on('data', (d) => (got += d)); open.on('close', () => resolve(got)); });
  await writeSlice('drain', [ep('127.255.250.9', 'node-a', { ready: false, serving: false, terminating: true }), ep(BACKENDS[0]!, 'node-a')]);
  await until(async () => (await ask(ip, 8082)) === BACKENDS[0], 'new connections go to the ready endpoint');
  open.write('finish');
  assert.is(await reply, 'slow done', 'the terminating endpoint\'s open connection finished');
  await h.client().must('api.delete', { target: targets.services('default', 'drain') as ApiTarget });
  await until(() => listening(proxies[0]!).length === 0 && listening(proxies[1]!).length === 0, 'every listener closed');
  assert.is(await ask(ip, 8082), 'refused');
  assert.is(await ask(NODES['node-b'], 30982), 'refused');
});

test('sessionAffinity ClientIP keeps a client on its endpoint until timeoutSeconds pass without a connection (virtual time)', async () => {
  const svc = await createService('sticky', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ name: 'http', port: 8083, targetPort: 'http' }] });
  const ip = svc.spec!.clusterIP!;
  await writeSlice('sticky', [ep(BACKENDS[0]!, 'node-a'), ep(BACKENDS[1]!, 'node-b')]);
  await until(() => listening(proxies[0]!).length === 1, 'listening');
  const first = await answers(ip, 8083, 4);
  assert.is(new Set(first).size, 1, 'one endpoint for one client');
  await h.clock.advance(59_000);
  assert.equal(await answers(ip, 8083, 1), [first[0]], 'within the timeout: the same endpoint, and the timeout starts again');
  await h.clock.advance(61_000);
  const after = await ask(ip, 8083);
  assert.is.not(after, first[0], 'after the timeout the next endpoint in turn');
});

test('externalTrafficPolicy Local: a NodePort reaches only its node\'s endpoints and healthCheckNodePort says 200 or 503; UDP is proxied', async () => {
  const svc = await createService('local', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 8084, targetPort: 'http', nodePort: 30984 }] });
  const hc = svc.spec!.healthCheckNodePort!;
  assert.ok(hc >= 30000 && hc <= 32767, 'the apiserver allocated a healthCheckNodePort');
  await writeSlice('local', [ep(BACKENDS[1]!, 'node-b')]);
  await until(() => listening(proxies[1]!).includes('127.255.200.2:TCP/30984'), 'node-b NodePort');
  assert.equal(await answers(NODES['node-b'], 30984, 2), [BACKENDS[1], BACKENDS[1]]);
  assert.is(await ask(NODES['node-a'], 30984), 'refused', 'node-a has no local endpoint');
  const a = await fetch(`http://${NODES['node-a']}:${hc}/`);
  assert.is(a.status, 503);
  assert.equal(await a.json(), { service: { namespace: 'default', name: 'local' }, localEndpoints: 0, serviceProxyHealthy: true });
  const b = await fetch(`http://${NODES['node-b']}:${hc}/`);
  assert.is(b.status, 200);
  assert.is(b.headers.get('x-load-balancing-endpoint-weight'), '1');

  const dns = await createService('dns', { ports: [{ name: 'dns', port: 5353, protocol: 'UDP', targetPort: 'dns' }] });
  const u = createSocket('udp4');
  u.on('message', (m, from) => u.send(`echo:${m}`, from.port, from.address));
  await new Promise<void>((resolve) => u.bind({ address: BACKENDS[2], port: 5300 }, resolve));
  servers.push(u);
  await writeSlice('dns', [ep(BACKENDS[2]!, 'node-a')], [{ name: 'dns', port: 5300, protocol: 'UDP' }]);
  await until(() => listening(proxies[0]!).includes(`${dns.spec!.clusterIP}:UDP/5353`), 'UDP listener');
  const client = createSocket('udp4');
  servers.push(client);
  const reply = new Promise<string>((resolve) => client.once('message', (m) => resolve(String(m))));
  client.send('ping', 5353, dns.spec!.clusterIP!);
  assert.is(await reply, 'echo:ping');
});

test('when the owner node is no longer Ready the standby binds the ClusterIPs and the owner lets them go; headless Services get none', async () => {
  const svc = await createService('moving', {});
  await createService('headless', { clusterIP: 'None' });
  await writeSlice('moving', [ep(BACKENDS[0]!, 'node-a')]);
  await writeSlice('headless', [ep(BACKENDS[1]!, 'node-a')]);
  const ip = svc.spec!.clusterIP!;
  await until(() => listening(proxies[0]!).length === 1, 'node-a owns');
  assert.equal(listening(proxies[0]!), [`${ip}:TCP/80`]);
  await setReady('node-a', false);
  await until(() => listening(proxies[1]!).length === 1 && listening(proxies[0]!).length === 0, 'node-b took over');
  assert.equal(listening(proxies[1]!), [`${ip}:TCP/80`]);
  assert.is(await ask(ip, 80), BACKENDS[0]);
});

test('a NodePort whose address is taken is retried until it can listen', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen({ host: NODES['node-b'], port: 30985 }, resolve));
  await createService('late', { type: 'NodePort', ports: [{ name: 'http', port: 8085, targetPort: 'http', nodePort: 30985 }] });
  await writeSlice('late', [ep(BACKENDS[0]!, 'node-a')]);
  await until(() => listening(proxies[0]!).includes('127.255.200.1:TCP/30985'), 'node-a listening');
  assert.not.ok(listening(proxies[1]!).includes('127.255.200.2:TCP/30985'), 'node-b could not listen');
  await new Promise((resolve) => blocker.close(resolve));
  await eventually(() => listening(proxies[1]!).includes('127.255.200.2:TCP/30985'), { timeoutMs: 8000, intervalMs: 100, what: 'node-b listening after its retry' });
  assert.is(await ask(NODES['node-b'], 30985), BACKENDS[0]);
});

test('a client that shuts down its sending side still gets the answer (half-close passes through)', async () => {
  // A backend that answers only once the request has ended, as a request/EOF protocol does.
  const eof = createServer({ allowHalfOpen: true }, (sock) => {
    let got = '';
    sock.on('data', (d) => (got += d));
    sock.on('end', () => sock.end(`got ${got}`));
  });
  await new Promise<void>((resolve) => eof.listen({ host: '127.246.250.9', port: 8080 }, resolve));
  servers.push(eof);
  const svc = await createService('halfclose', { ports: [{ name: 'http', port: 8087, targetPort: 8080 }] });
  await writeSlice('halfclose', [ep('127.246.250.9', 'node-a')]);
  await until(() => listening(proxies[0]!).includes(`${svc.spec!.clusterIP}:TCP/8087`), 'listening');
  const answer = await new Promise<string>((resolve) => {
    const s = connect({ host: svc.spec!.clusterIP!, port: 8087, allowHalfOpen: true });
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('end', () => resolve(got));
    s.on('error', (err) => resolve(err.message));
    s.end('question');
  });
  assert.is(answer, 'got question');
});

/** A UDP backend at `ip`:5300 that answers each datagram with its address. */
async function udpBackend(ip: string): Promise<void> {
  const u = createSocket('udp4');
  u.on('message', (_m, from) => u.send(ip, from.port, from.address));
  await new Promise<void>((resolve) => u.bind({ address: ip, port: 5300 }, resolve));
  servers.push(u);
}

test('UDP: a flow stays with its endpoint until that endpoint stops serving or the flow idles 30 s (virtual time); then the next datagram picks a live one', async () => {
  const [x, y] = ['127.246.250.2', '127.246.250.3'];
  await udpBackend(x);
  await udpBackend(y);
  const svc = await createService('flows', { ports: [{ name: 'dns', port: 5354, protocol: 'UDP', targetPort: 'dns' }] });
  const ip = svc.spec!.clusterIP!;
  const udpSlice = (endpoints: Endpoint[]) => writeSlice('flows', endpoints, [{ name: 'dns', port: 5300, protocol: 'UDP' }]);
  await udpSlice([ep(x, 'node-a'), ep(y, 'node-b')]);
  await until(() => listening(proxies[0]!).includes(`${ip}:UDP/5354`), 'UDP listener');
  // One client socket is one flow (its address and port), as conntrack sees it.
  const client = createSocket('udp4');
  servers.push(client);
  await new Promise<void>((resolve) => client.bind({ address: '127.246.1.1' }, resolve));
  const ask = () => new Promise<string>((resolve) => {
    client.once('message', (m) => resolve(String(m)));
    client.send('q', 5354, ip);
  });
  const first = await ask();
  assert.equal([await ask(), await ask()], [first, first], 'a flow stays with its endpoint');
  const other = first === x ? y : x;
  const settled = (want: string, what: string) => until(async () => (await ask()) === want, what);

  await udpSlice([ep(other, first === x ? 'node-b' : 'node-a')]);
  await settled(other, 'the removed endpoint\'s flow is forgotten');
  await udpSlice([ep(first, 'node-a'), ep(other, 'node-b', { ready: false, serving: false })]);
  await settled(first, 'a not-ready endpoint\'s flow is forgotten');
  await udpSlice([ep(first, 'node-a', { ready: false, serving: true, terminating: true }), ep(other, 'node-b')]);
  await h.settle();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal([await ask(), await ask()], [first, first], 'a terminating endpoint still serving keeps its flow (it drains)');

  await h.clock.advance(UDP_IDLE_MS - 1000);
  assert.is(await ask(), first, 'within conntrack\'s UDP timeout the flow stays (the datagram renews it)');
  await h.clock.advance(UDP_IDLE_MS);
  assert.is(await ask(), other, 'after 30 s without a datagram the flow is new and goes to a ready endpoint');
});

test('externalIPs: the ClusterIP owner serves each host address with the external traffic policy; another address is logged once as not served', async () => {
  const log = memoryLogger();
  proxies[0]!.stop();
  proxies[0] = startKubeProxy(new ActorHost({ bus: h.bus, clock: h.clock, seed: 7, logger: log }), { nodeName: 'node-a', nodeIP: NODES['node-a'], healthzPort: 0 });
  const svc = await createService('ext', { externalIPs: ['127.246.7.1', '192.0.2.10'], externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 8086, targetPort: 'http' }] });
  assert.is(svc.spec!.externalTrafficPolicy, 'Local');
  await writeSlice('ext', [ep(BACKENDS[0]!, 'node-a'), ep(BACKENDS[1]!, 'node-b')]);
  await until(() => listening(proxies[0]!).includes('127.246.7.1:TCP/8086'), 'the externalIP listening');
  assert.equal(listening(proxies[1]!), [], 'the standby serves no externalIP');
  assert.equal(await answers('127.246.7.1', 8086, 3), [BACKENDS[0], BACKENDS[0], BACKENDS[0]], 'Local: the owner node\'s endpoints only');
  assert.equal(new Set(await answers(svc.spec!.clusterIP!, 8086, 4)), new Set([BACKENDS[0], BACKENDS[1]]), 'the ClusterIP is internal traffic: every endpoint');
  const said = () => log.records.filter((r) => r.msg.includes('192.0.2.10'));
  assert.equal(said().map((r) => [r.level, r.msg]), [['warn', 'kube-proxy: default/ext:http: externalIP 192.0.2.10 is not an address of this host (127.0.0.0/8): not served']]);
  await h.client().must('api.patch', { target: targets.services('default', 'ext') as ApiTarget, patchType: 'merge', patch: { spec: { externalTrafficPolicy: 'Cluster' } } });
  await until(async () => new Set(await answers('127.246.7.1', 8086, 4)).size === 2, 'Cluster: every endpoint');
  assert.is(said().length, 1, 'logged once, not at every sync');
  await h.client().must('api.patch', { target: targets.services('default', 'ext') as ApiTarget, patchType: 'merge', patch: { spec: { externalIPs: ['192.0.2.10'] } } });
  await until(() => !listening(proxies[0]!).includes('127.246.7.1:TCP/8086'), 'the dropped externalIP closed');
  assert.is(await ask('127.246.7.1', 8086), 'refused');
});

test.run();
