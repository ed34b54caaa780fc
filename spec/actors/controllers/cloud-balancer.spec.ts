/**
 * The local provider's load balancers carry traffic: a LoadBalancer Service's EXTERNAL-IP
 * listens on the Service's ports and forwards to the nodes' NodePorts. The NodePorts here are
 * real TCP/UDP servers on the sim nodes' InternalIPs that say which node answered (what
 * kube-proxy would serve there); the cloud-service controller runs on virtual time, the
 * sockets are real, all on loopback. Its own pool (127.0.250.0/24, outside the defaults `up` claims) keeps it apart from other
 * specs.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { eventually } from '../../helpers/wait.ts';
import { tcpRead } from '../../helpers/tcp.ts';
import { cluster, targets, type Cluster } from './helpers.ts';

const POOL = '127.0.250.0/24';
const NODE_IPS = ['127.0.1.1', '127.0.1.2'];
let c: Cluster | undefined;
const servers: Array<Server | UdpSocket> = [];

test.after.each(async () => {
  for (const s of servers.splice(0)) s.close();
  await c?.close();
  c = undefined;
});

/** Listens on `port` on every node IP, answering with the node's IP; resolves false when a port is taken. */
async function nodePorts(port: number): Promise<boolean> {
  const opened: Server[] = [];
  for (const ip of NODE_IPS) {
    const s = createServer((sock) => sock.end(ip));
    const ok = await new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false));
      s.listen({ host: ip, port }, () => resolve(true));
    });
    if (!ok) {
      for (const o of opened) o.close();
      return false;
    }
    opened.push(s);
  }
  servers.push(...opened);
  return true;
}

/** A free nodePort in 30000-32767 with TCP servers on both node IPs. */
async function freeNodePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 30000 + Math.floor(Math.random() * 2768);
    if (await nodePorts(port)) return port;
  }
  throw new Error('no free node port');
}

const ask = tcpRead;

const service = (name: string, port: number, nodePort: number, extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ name: 'web', port, nodePort, protocol: 'TCP' }], ...extra } }) as KubeObject;

async function externalIP(name: string): Promise<string> {
  return eventually(async () => (await c!.get<Service>(targets.services('default', name)))?.status?.loadBalancer?.ingress?.[0]?.ip, { pace: c!.pace() });
}

async function start(): Promise<void> {
  c = await cluster('cloud-service', { nodes: 2, options: { 'cloud-service': { 'serve-traffic': true, loadBalancerCIDR: POOL } } });
  await c.advance(2000);
}

test('the EXTERNAL-IP forwards connections to the NodePort of every Ready node in turn; deleting the Service closes it', async () => {
  await start();
  const np = await freeNodePort();
  await c!.h.client().must('api.create', { target: targets.services('default'), object: service('web', 8080, np) });
  const ip = await externalIP('web');
  assert.is(ip, '127.0.250.1');
  const answers = new Set<string>();
  for (let i = 0; i < 4; i++) answers.add(await ask(ip, 8080));
  assert.equal([...answers].sort(), NODE_IPS);

  // A node that refuses is passed over: every connection reaches the other.
  (servers.shift() as Server).close();
  for (let i = 0; i < 3; i++) assert.is(await ask(ip, 8080), NODE_IPS[1]);

  await c!.h.client().must('api.delete', { target: targets.services('default', 'web') });
  await c!.advance(500);
  await eventually(async () => (await ask(ip, 8080)) === 'refused', { timeoutMs: 5000 });
});

test('externalTrafficPolicy Local sends only to nodes with a ready endpoint; loadBalancerSourceRanges cuts others off', async () => {
  await start();
  const np = await freeNodePort();
  await c!.h.client().must('api.create', { target: targets.services('default'), object: service('local', 8081, np, { externalTrafficPolicy: 'Local' }) });
  await c!.h.client().must('api.create', {
    target: targets.endpointslices('default'),
    object: {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'local-1', labels: { 'kubernetes.io/service-name': 'local' } }, addressType: 'IPv4',
      endpoints: [{ addresses: ['127.244.1.2'], nodeName: 'node-2', conditions: { ready: true } }, { addresses: ['127.244.0.9'], nodeName: 'node-1', conditions: { ready: false } }],
      ports: [{ name: 'web', port: 8080, protocol: 'TCP' }],
    } as KubeObject,
  });
  const ip = await externalIP('local');
  await c!.advance(500);
  for (let i = 0; i < 3; i++) assert.is(await ask(ip, 8081), NODE_IPS[1]);

  await c!.h.client().must('api.patch', { target: targets.services('default', 'local'), patchType: 'merge', patch: { spec: { loadBalancerSourceRanges: ['10.0.0.0/8'] } } });
  await c!.advance(500);
  await eventually(async () => (await ask(ip, 8081)) === 'reset', { timeoutMs: 5000 });
  const events = await c!.list<{ reason: string }>(targets.events('default'));
  assert.not.ok(events.some((e) => e.reason === 'SyncLoadBalancerFailed'));
});

test('a UDP port forwards datagrams both ways', async () => {
  await start();
  const np = await freeNodePort();
  for (const nodeIp of NODE_IPS) {
    const u = createSocket('udp4');
    u.on('message', (m, from) => u.send(`${nodeIp}:${m}`, from.port, from.address));
    await new Promise<void>((resolve) => u.bind({ address: nodeIp, port: np }, resolve));
    servers.push(u);
  }
  await c!.h.client().must('api.create', { target: targets.services('default'), object: { ...service('dns', 53, np), spec: { type: 'LoadBalancer', selector: { app: 'dns' }, ports: [{ name: 'dns', port: 5353, nodePort: np, protocol: 'UDP' }] } } as KubeObject });
  const ip = await externalIP('dns');
  const client = createSocket('udp4');
  servers.push(client);
  const reply = new Promise<string>((resolve) => client.once('message', (m) => resolve(String(m))));
  client.send('ping', 5353, ip);
  assert.match(await reply, /^127\.0\.1\.[12]:ping$/);
});

test.run();
