/**
 * What a node's credentials reach: every address a node identity may hold (kubelet.<n>,
 * proxy.<n>, pod.*) carries at most that kubelet's authority — the node authorizer and
 * NodeRestriction bind them all. In-process with the addresses forged, and over a real
 * nats-server configured by `kubeactor nats-config`, with one node's credentials.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import type { Port } from '../../../bus/bus.ts';
import type { Result } from '../../../base/status.ts';
import { ActorHost } from '../../../actors/host.ts';
import { realClock } from '../../../base/real-clock.ts';
import { silentLogger } from '../../../actors/logger.ts';
import { MemoryKv } from '../../../actors/kv/memory.ts';
import { startControlPlaneCore } from '../../../actors/apiserver/start.ts';
import { connectNatsBus } from '../../../bus/nats/connect.ts';
import { runCli } from '../../helpers/cli.ts';
import { startNatsServer } from '../../helpers/nats-server.ts';
import { start, t, pod, type Harness } from './harness.ts';

const secrets = (namespace?: string, name?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'secrets', ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) });
const secret = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { k: 'v' } } as KubeObject);
const node = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });

type Send = (from: string, type: 'api.list' | 'api.get' | 'api.create' | 'api.delete', payload: Record<string, unknown>) => Promise<Result<unknown>>;

function status(r: Result<unknown>) {
  assert.ok(!r.ok, `expected a refusal, got ${JSON.stringify(r).slice(0, 200)}`);
  return r.status;
}

/** The three attacks of the probe, from each address one node's process may hold. */
async function attacks(send: Send, nodeName: string, otherNode: string): Promise<void> {
  for (const from of [`pod.attacker`, `proxy.${nodeName}`, `kubelet.${nodeName}`]) {
    // kube-proxy acts as system:kube-proxy (bound to system:node-proxier), never as its node.
    const user = from.startsWith('pod.') ? 'system:anonymous' : from.startsWith('proxy.') ? 'system:kube-proxy' : `system:node:${nodeName}`;
    const listed = status(await send(from, 'api.list', { target: secrets() }));
    assert.is(listed.code, 403, from);
    assert.is(listed.reason, 'Forbidden');
    assert.match(listed.message, new RegExp(`^secrets is forbidden: User "${user}" cannot list resource "secrets" in API group "" at the cluster scope`));
    const created = status(await send(from, 'api.create', { target: secrets('kube-system'), object: secret(`planted-${from.split('.')[0]}`) }));
    assert.is(created.code, 403, from);
    assert.match(created.message, new RegExp(`^secrets is forbidden: User "${user}" cannot create resource "secrets" in API group "" in the namespace "kube-system"`));
    const deleted = status(await send(from, 'api.delete', { target: t.nodes(otherNode) }));
    assert.is(deleted.code, 403, from);
    assert.is(deleted.details?.kind, 'nodes');
  }
}

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

test('in-process, from forged pod/proxy/kubelet addresses: no secrets listed or planted, no other node deleted', async () => {
  const admin = h.client();
  await admin.must('api.create', { target: t.nodes(), object: node('n1') });
  await admin.must('api.create', { target: t.nodes(), object: node('n2') });
  await admin.must('api.create', { target: secrets('kube-system'), object: secret('signing') });
  await attacks((from, type, payload) => h.client(from).call(type, payload as never), 'n1', 'n2');
  const names = (l: unknown) => (l as { items: KubeObject[] }).items.map((o) => o.metadata?.name);
  const left = names(await admin.must('api.list', { target: secrets() }));
  assert.equal(left, ['signing'], 'nothing planted');
  assert.equal(names(await admin.must('api.list', { target: t.nodes() })), ['n1', 'n2']);
  // The pod address is nobody: not even a read.
  const anon = status(await h.client('pod.attacker').call('api.get', { target: t.nodes('n1') }));
  assert.is(anon.message, 'nodes "n1" is forbidden: User "system:anonymous" cannot get resource "nodes" in API group "" at the cluster scope');
});

test('a node reads only the Secrets and ConfigMaps its own pods use, and makes tokens only for their ServiceAccounts', async () => {
  const admin = h.client();
  await admin.must('api.create', { target: secrets('default'), object: secret('mounted') });
  await admin.must('api.create', { target: secrets('default'), object: secret('elsewhere') });
  await admin.must('api.create', { target: { group: '', version: 'v1', resource: 'serviceaccounts', namespace: 'default' }, object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner' } } });
  const spec = (secretName: string, nodeName: string) => ({ nodeName, serviceAccountName: 'runner', containers: [{ name: 'app', image: 'nginx:1.27' }], volumes: [{ name: 's', secret: { secretName } }] });
  await admin.must('api.create', { target: t.pods(), object: pod('mine', { spec: spec('mounted', 'n1') }) });
  await admin.must('api.create', { target: t.pods(), object: pod('theirs', { spec: spec('elsewhere', 'n2') }) });
  await h.settle();
  const k = h.client('kubelet.n1');
  assert.ok((await k.call('api.get', { target: secrets('default', 'mounted') })).ok, 'a secret its pod mounts');
  const other = status(await k.call('api.get', { target: secrets('default', 'elsewhere') }));
  assert.is(other.message, 'secrets "elsewhere" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node "n1" and this object');
  const tokenT = { group: '', version: 'v1', resource: 'serviceaccounts', namespace: 'default', name: 'runner', subresource: 'token' };
  const req = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } as KubeObject;
  assert.ok((await k.call('api.create', { target: tokenT, object: req })).ok, 'its pod runs as runner');
  const admins = status(await k.call('api.create', { target: { ...tokenT, namespace: 'kube-system', name: 'default' }, object: req }));
  assert.is(admins.code, 403);
  // What a kubelet needs still works: its pods, nodes, its lease.
  assert.ok((await k.call('api.list', { target: t.pods() })).ok);
  assert.ok((await k.call('api.get', { target: t.pods('default', 'mine') })).ok);
});

test('over a real nats-server with one node\'s credentials from `kubeactor nats-config`: the same 403s', async () => {
  const cfg = runCli(['nats-config', '--user', 'control-plane:cp-pass', '--user', 'node-n1:n1-pass']);
  assert.is(await cfg.exited(), 0, cfg.output());
  const server = await startNatsServer({ config: cfg.output() });
  const cp = await connectNatsBus({ servers: server.url, identity: 'control-plane', pass: 'cp-pass' });
  const host = new ActorHost({ bus: cp, clock: realClock, seed: 7, logger: silentLogger });
  const core = startControlPlaneCore({ bus: cp, host, backend: new MemoryKv() });
  const nodeBus = await connectNatsBus({ servers: server.url, identity: 'node-n1', pass: 'n1-pass' });
  try {
    await core.ready();
    const admin = cp.register('edge.spec', () => {});
    await admin.request('apiserver', 'api.create', { target: t.nodes(), object: node('n1') });
    await admin.request('apiserver', 'api.create', { target: t.nodes(), object: node('n2') });
    const ports = new Map<string, Port>();
    const send: Send = (from, type, payload) => {
      let p = ports.get(from);
      if (!p) ports.set(from, (p = nodeBus.register(from, () => {})));
      return p.request('apiserver', type, payload as never);
    };
    await attacks(send, 'n1', 'n2');
    const nodes = await admin.request('apiserver', 'api.list', { target: t.nodes() });
    assert.equal(nodes.ok && (nodes.value as { items: KubeObject[] }).items.map((n) => n.metadata?.name), ['n1', 'n2']);
  } finally {
    await nodeBus.close();
    core.stop();
    await cp.close();
    await server.stop();
  }
  assert.throws(() => process.kill(server.pid, 0), 'the nats-server is gone');
});

test('kube-proxy (proxy.<n>) has system:node-proxier\'s reads of EndpointSlices; the kubelet of the same node does not', async () => {
  const slices: ApiTarget = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' };
  const listed = await h.client('proxy.n1').call('api.list', { target: slices });
  assert.ok(listed.ok, JSON.stringify(listed).slice(0, 200));
  const kubelet = status(await h.client('kubelet.n1').call('api.list', { target: slices }));
  assert.is(kubelet.message, 'endpointslices.discovery.k8s.io is forbidden: User "system:node:n1" cannot list resource "endpointslices" in API group "discovery.k8s.io" at the cluster scope');
  const write = status(await h.client('proxy.n1').call('api.create', { target: { ...slices, namespace: 'default' }, object: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'forged' }, addressType: 'IPv4', endpoints: [] } as KubeObject }));
  assert.is(write.code, 403);
});

test.run();
