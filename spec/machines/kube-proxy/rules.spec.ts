/**
 * kube-proxy's rules as pure functions: which listeners a node opens for which endpoints,
 * who binds the ClusterIPs, and the health checks of externalTrafficPolicy Local.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Node, Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { clusterIPOwner, proxyRules, type ProxyInputs } from '../../../machines/kube-proxy/rules.ts';

const node = (name: string, ready = true): Node => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown' }] } });
const svc = (name: string, spec: ServiceSpec): Service => ({ metadata: { name, namespace: 'default' }, spec: { clusterIP: '127.96.0.20', ports: [{ port: 80 }], ...spec } });
const ep = (ip: string, nodeName: string, conditions: Endpoint['conditions'] = {}): Endpoint => ({ addresses: [ip], nodeName, conditions });
const slice = (service: string, endpoints: Endpoint[], ports: EndpointSlice['ports'] = [{ name: '', port: 8080, protocol: 'TCP' }]): EndpointSlice => ({
  addressType: 'IPv4', metadata: { name: `${service}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } }, endpoints, ports,
});
const inputs = (nodeName: string, services: Service[], slices: EndpointSlice[]): ProxyInputs => ({
  nodeName, nodeIP: nodeName === 'node-1' ? '127.0.1.1' : '127.0.1.2', services, slices, nodes: [node('node-2'), node('node-1')],
});
const where = (r: ReturnType<typeof proxyRules>) => Object.fromEntries(r.listeners.map((l) => [l.key, l.endpoints.map((e) => `${e.ip}:${e.port}`)]));

test('the first Ready node by name binds the ClusterIPs; the next takes over when it is not Ready', () => {
  assert.is(clusterIPOwner([node('node-2'), node('node-1')]), 'node-1');
  assert.is(clusterIPOwner([node('node-2'), node('node-1', false)]), 'node-2');
  assert.is(clusterIPOwner([node('node-1', false)]), undefined);
  const s = [svc('web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })];
  const sl = [slice('web', [ep('127.241.0.2', 'node-1'), ep('127.241.1.2', 'node-2')])];
  assert.equal(where(proxyRules(inputs('node-1', s, sl))), {
    '127.96.0.20:TCP/80': ['127.241.0.2:8080', '127.241.1.2:8080'],
    '127.0.1.1:TCP/30080': ['127.241.0.2:8080', '127.241.1.2:8080'],
  });
  const standby = proxyRules(inputs('node-2', s, sl));
  assert.is(standby.ownsClusterIPs, false);
  assert.equal(Object.keys(where(standby)), ['127.0.1.2:TCP/30080'], 'a standby binds only its NodePort');
});

test('only ready endpoints take new connections; serving terminating ones only when none is ready; none at all: no listener', () => {
  const s = [svc('web', {})];
  const rules = (eps: Endpoint[]) => where(proxyRules(inputs('node-1', s, [slice('web', eps)])));
  assert.equal(rules([ep('127.241.0.2', 'node-1'), ep('127.241.0.3', 'node-1', { ready: false }), ep('127.241.0.4', 'node-1', { ready: false, serving: true, terminating: true })]), { '127.96.0.20:TCP/80': ['127.241.0.2:8080'] });
  assert.equal(rules([ep('127.241.0.3', 'node-1', { ready: false }), ep('127.241.0.4', 'node-1', { ready: false, serving: true, terminating: true })]), { '127.96.0.20:TCP/80': ['127.241.0.4:8080'] });
  assert.equal(rules([ep('127.241.0.3', 'node-1', { ready: false })]), {}, 'a Service without usable endpoints refuses');
});

test('headless and ExternalName Services are not proxied; named ports take the slice port of the same name and protocol', () => {
  const named = svc('dns', { ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' }] });
  const ports = [{ name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'dns-tcp', port: 5354, protocol: 'TCP' }];
  const r = proxyRules(inputs('node-1', [named, svc('h', { clusterIP: 'None' }), svc('x', { type: 'ExternalName', externalName: 'example.com', clusterIP: '' })], [
    slice('dns', [ep('127.241.0.9', 'node-1')], ports), slice('h', [ep('127.241.0.10', 'node-1')]), slice('x', [ep('127.241.0.11', 'node-1')]),
  ]));
  assert.equal(where(r), { '127.96.0.20:UDP/53': ['127.241.0.9:5353'], '127.96.0.20:TCP/53': ['127.241.0.9:5354'] });
});

test('traffic policies Local: NodePorts to the node\'s own endpoints with a health check; ClusterIP to the owner\'s; affinity timeout', () => {
  const s = [svc('web', {
    type: 'NodePort', externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local', healthCheckNodePort: 31000,
    sessionAffinity: 'ClientIP', ports: [{ port: 80, nodePort: 30080 }],
  })];
  const sl = [slice('web', [ep('127.241.0.2', 'node-1'), ep('127.241.1.2', 'node-2', { ready: false })])];
  const one = proxyRules(inputs('node-1', s, sl));
  assert.equal(where(one), { '127.96.0.20:TCP/80': ['127.241.0.2:8080'], '127.0.1.1:TCP/30080': ['127.241.0.2:8080'] });
  assert.is(one.listeners[0]!.affinitySeconds, 10800, "kube-proxy's default 3 hours");
  assert.equal(one.healthChecks, [{ service: { namespace: 'default', name: 'web' }, port: 31000, localEndpoints: 1 }]);
  const two = proxyRules(inputs('node-2', s, sl));
  assert.equal(where(two), {}, 'node-2 has no ready endpoint of its own: its NodePort refuses');
  assert.equal(two.healthChecks, [{ service: { namespace: 'default', name: 'web' }, port: 31000, localEndpoints: 0 }]);
});

test('externalIPs on this host are bound by the ClusterIP owner with the external traffic policy; others and duplicates are reported, not served', () => {
  const s = [
    svc('web', { externalIPs: ['127.246.7.1', '192.0.2.10'], externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }),
    svc('copy', { clusterIP: '127.96.0.21', externalIPs: ['127.246.7.1'], ports: [{ port: 80 }] }),
  ];
  const sl = [slice('web', [ep('127.241.0.2', 'node-1'), ep('127.241.1.2', 'node-2')]), slice('copy', [ep('127.241.0.5', 'node-2')])];
  const owner = proxyRules(inputs('node-1', s, sl));
  assert.equal(where(owner), {
    '127.96.0.20:TCP/80': ['127.241.0.2:8080', '127.241.1.2:8080'],
    '127.246.7.1:TCP/80': ['127.241.0.2:8080'],
    '127.96.0.21:TCP/80': ['127.241.0.5:8080'],
  }, 'externalTrafficPolicy Local: the owner\'s own endpoints on the externalIP; the ClusterIP keeps every endpoint');
  assert.equal(owner.notServed, [
    { key: '192.0.2.10:TCP/80', servicePort: 'default/web:', reason: 'externalIP 192.0.2.10 is not an address of this host (127.0.0.0/8): not served' },
    { key: '127.246.7.1:TCP/80', servicePort: 'default/copy:', reason: '127.246.7.1:TCP/80 is already served for default/web:' },
  ]);
  const standby = proxyRules(inputs('node-2', s, sl));
  assert.equal(where(standby), {}, 'a standby binds no externalIP');
  assert.is(standby.notServed, undefined);
});

test('a UDP listener lists the serving endpoints that take no new flows, so their flows are kept', () => {
  const s = [svc('dns', { ports: [{ port: 53, protocol: 'UDP' }] })];
  const ports = [{ name: '', port: 5353, protocol: 'UDP' }];
  const r = proxyRules(inputs('node-1', s, [slice('dns', [
    ep('127.241.0.2', 'node-1'), ep('127.241.0.3', 'node-1', { ready: false, serving: true, terminating: true }), ep('127.241.0.4', 'node-1', { ready: false }),
  ], ports)]));
  assert.equal(r.listeners.map((l) => [l.key, l.endpoints.map((e) => e.ip), l.draining?.map((e) => e.ip)]), [['127.96.0.20:UDP/53', ['127.241.0.2'], ['127.241.0.3']]]);
});


test('the connect table (process pods\' connect-time translation): every node has each TCP ClusterIP port, from its own view; affinity and UDP stay with the listener', () => {
  const s = [
    svc('web', {}),
    svc('local', { clusterIP: '127.96.0.21', internalTrafficPolicy: 'Local' }),
    svc('sticky', { clusterIP: '127.96.0.22', sessionAffinity: 'ClientIP' }),
    svc('empty', { clusterIP: '127.96.0.23' }),
    svc('dns', { clusterIP: '127.96.0.24', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }),
  ];
  const eps = [ep('127.241.0.2', 'node-1'), ep('127.241.1.2', 'node-2'), ep('127.241.1.3', 'node-2', { ready: false })];
  const sl = [slice('web', eps), slice('local', eps), slice('sticky', eps), slice('empty', [ep('127.241.0.9', 'node-1', { ready: false })]),
    slice('dns', eps, [{ name: 'dns', port: 5353, protocol: 'UDP' }])];
  const table = (nodeName: string) => Object.fromEntries(proxyRules(inputs(nodeName, s, sl)).connect.map((c) => [`${c.ip}:${c.port}`, c.endpoints.map((e) => `${e.ip}:${e.port}`)]));
  assert.equal(table('node-2'), {
    '127.96.0.20:80': ['127.241.0.2:8080', '127.241.1.2:8080'],
    '127.96.0.21:80': ['127.241.1.2:8080'],
    '127.96.0.23:80': [],
  }, 'a standby has the table too; Local means its own endpoints; no usable endpoint: refused');
  assert.equal(table('node-1')['127.96.0.21:80'], ['127.241.0.2:8080']);
});

test.run();
