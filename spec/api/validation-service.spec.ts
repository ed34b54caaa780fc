import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kindByResource, type KubeObject } from '../../api/kinds.ts';

const Service = kindByResource('', 'services');
if (!Service) throw new Error('services not registered');
const svc = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', ...meta }, spec });
const lines = (obj: KubeObject, old?: KubeObject): string[] => Service.validate(Service.defaults(obj), old && Service.defaults(old)).map((c) => `${c.field}: ${c.message}`);

const cases: Array<[string, Record<string, unknown>, string[]]> = [
  ['valid', { selector: { app: 'web' }, ports: [{ port: 80 }] }, []],
  ['ports required', { selector: { app: 'web' } }, ['spec.ports: Required value']],
  ['headless needs no ports', { clusterIP: 'None' }, []],
  ['ExternalName needs no ports', { type: 'ExternalName', externalName: 'example.com' }, []],
  ['type', { type: 'Magic', ports: [{ port: 80 }] }, ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
  ['port range', { ports: [{ port: 0 }] }, ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive', 'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive']],
  ['names needed for several ports', { ports: [{ port: 80 }, { port: 443, name: 'https' }] }, ['spec.ports[0].name: Required value']],
  ['duplicate port names', { ports: [{ port: 80, name: 'a' }, { port: 81, name: 'a' }] }, ['spec.ports[1].name: Duplicate value: "a"']],
  ['duplicate port and protocol', { ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] }, ['spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}']],
  ['nodePort on ClusterIP', { ports: [{ port: 80, nodePort: 30080 }] }, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
  ['protocol', { ports: [{ port: 80, protocol: 'ICMP' }] }, ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']],
  ['selector labels', { selector: { app: '-bad' }, ports: [{ port: 80 }] }, ["spec.selector: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]],
  ['session affinity', { sessionAffinity: 'Sticky', ports: [{ port: 80 }] }, ['spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"']],
  ['externalIPs', { externalIPs: ['127.246.7.1', 'nowhere'], ports: [{ port: 80 }] }, ['spec.externalIPs[1]: Invalid value: "nowhere": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['externalTrafficPolicy with externalIPs', { externalIPs: ['127.246.7.1'], externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }, []],
  ['externalTrafficPolicy on a ClusterIP', { externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }, ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services']],
];
for (const [what, spec, want] of cases) {
  test(`service: ${what}`, () => assert.equal(lines(svc(spec)), want));
}

test('service: externalIPs make a ClusterIP Service externally accessible, so its externalTrafficPolicy defaults to Cluster', () => {
  assert.is((Service.defaults(svc({ externalIPs: ['127.246.7.1'], ports: [{ port: 80 }] })).spec as { externalTrafficPolicy?: string }).externalTrafficPolicy, 'Cluster');
  assert.is((Service.defaults(svc({ ports: [{ port: 80 }] })).spec as { externalTrafficPolicy?: string }).externalTrafficPolicy, undefined);
});

test('service clusterIP may not change once set', () => {
  const old = svc({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80 }] });
  assert.equal(lines(svc({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 81 }] }), old), []);
  assert.equal(lines(svc({ clusterIP: '10.96.0.11', clusterIPs: ['10.96.0.11'], ports: [{ port: 80 }] }), old), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
});

test.run();
