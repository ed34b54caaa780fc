/** kube-proxy's chart: no sync before every informer has listed; then each change recomputes the rules and applies them. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { kubeProxyChart } from '../../../machines/kube-proxy/chart.ts';
import type { ProxyRules } from '../../../machines/kube-proxy/rules.ts';

const nodes: Node[] = [{ metadata: { name: 'node-1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }];
const services: Service[] = [{ metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '127.96.0.20', ports: [{ name: 'http', port: 80 }] } }];
const slices: EndpointSlice[] = [{ addressType: 'IPv4', metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } }, endpoints: [{ addresses: ['127.244.0.2'] }], ports: [{ name: 'http', port: 8080 }] }];

test('syncing until synced, then every change is applied', () => {
  const applied: ProxyRules[] = [];
  const actor = createActor(kubeProxyChart.provide({ actions: { apply: ({ context }) => void applied.push(context.rules) } }), { input: { nodeName: 'node-1', nodeIP: '127.0.1.1' } }).start();
  actor.send({ type: 'proxy.objects', synced: false, services, slices: [], nodes });
  assert.is(actor.getSnapshot().value, 'syncing');
  assert.is(applied.length, 0, 'nothing is closed or opened before the caches are whole');
  actor.send({ type: 'proxy.objects', synced: true, services, slices: [], nodes });
  assert.is(actor.getSnapshot().value, 'proxying');
  assert.equal(applied.at(-1)!.listeners, [], 'no endpoints: no listener');
  actor.send({ type: 'proxy.objects', synced: true, services, slices, nodes });
  assert.equal(applied.at(-1)!.listeners.map((l) => l.key), ['127.96.0.20:TCP/80']);
  assert.equal(actor.getSnapshot().context.rules, applied.at(-1));
  actor.stop();
});

test.run();
