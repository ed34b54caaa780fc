import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kindByResource, type KindInfo, type KubeObject } from '../../api/kinds.ts';
import { printerFor } from '../../api/tables/index.ts';

const kind = (resource: string): KindInfo => {
  const k = kindByResource('networking.k8s.io', resource);
  if (!k) throw new Error(`${resource} not registered`);
  return k;
};
const ING = kind('ingresses');
const IC = kind('ingressclasses');
const lines = (k: KindInfo, obj: KubeObject, old?: KubeObject): string[] => k.validate(k.defaults(obj), old && k.defaults(old)).map((c) => `${c.field}: ${c.message}`);

const backend = { service: { name: 'web', port: { number: 80 } } };
const ingress = (spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'default', ...(annotations ? { annotations } : {}) },
  spec,
});
const rule = (path: Record<string, unknown>, host = 'foo.example.com') => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend, ...path }] } });
const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const ingressCases: Array<[string, Record<string, unknown>, string[]]> = [
  ['valid rules', { rules: [rule({})] }, []],
  ['valid default backend only', { defaultBackend: backend }, []],
  ['a wildcard host', { rules: [rule({}, '*.foo.com')] }, []],
  ['rules or default backend', {}, ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']],
  ['pathType required', { rules: [rule({ pathType: undefined })] }, ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']],
  ['unknown pathType', { rules: [rule({ pathType: 'Regex' })] }, ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"']],
  ['a Prefix path is absolute', { rules: [rule({ path: 'api' })] }, ['spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path']],
  ['no dot segments', { rules: [rule({ path: '/a/../b', pathType: 'Exact' })] }, ["spec.rules[0].http.paths[0].path: Invalid value: \"/a/../b\": must not contain '/../'"]],
  ['no trailing dot', { rules: [rule({ path: '/a/.' })] }, ["spec.rules[0].http.paths[0].path: Invalid value: \"/a/.\": cannot end with '/.'"]],
  ['ImplementationSpecific may be empty', { rules: [rule({ path: undefined, pathType: 'ImplementationSpecific' })] }, []],
  ['an IP host', { rules: [rule({}, '10.0.0.1')] }, ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address']],
  ['a bad host', { rules: [rule({}, 'Foo.com')] }, [`spec.rules[0].host: Invalid value: "Foo.com": ${SUBDOMAIN}`]],
  ['a bad wildcard', { rules: [rule({}, '*.*.foo.com')] }, ["spec.rules[0].host: Invalid value: \"*.*.foo.com\": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]],
  ['paths required', { rules: [{ host: 'a.com', http: { paths: [] } }] }, ['spec.rules[0].http.paths: Required value']],
  ['port name and number', { defaultBackend: { service: { name: 'web', port: { name: 'http', number: 80 } } } }, ['spec.defaultBackend: Invalid value: "": cannot set both port name & port number']],
  ['port required', { defaultBackend: { service: { name: 'web', port: {} } } }, ['spec.defaultBackend: Required value: port name or number is required']],
  ['port number range', { defaultBackend: { service: { name: 'web', port: { number: 70000 } } } }, ['spec.defaultBackend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive']],
  ['service or resource', { defaultBackend: {} }, ['spec.defaultBackend: Invalid value: "": resource or service backend is required']],
  ['service name is a DNS-1035 label', { defaultBackend: { service: { name: '1web', port: { number: 80 } } } }, ["spec.defaultBackend.service.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]],
  ['tls secret name', { defaultBackend: backend, tls: [{ hosts: ['a.com'], secretName: 'Bad_Name' }] }, [`spec.tls[0].secretName: Invalid value: "Bad_Name": ${SUBDOMAIN}`]],
];
for (const [what, spec, want] of ingressCases) test(`ingress: ${what}`, () => assert.equal(lines(ING, ingress(spec)), want));

test('ingress: the class annotation must agree with ingressClassName on create', () => {
  assert.equal(lines(ING, ingress({ defaultBackend: backend, ingressClassName: 'a' }, { 'kubernetes.io/ingress.class': 'b' })), ['annotations.kubernetes.io/ingress.class: Invalid value: "b": must match `ingressClassName` when both are specified']);
});

const klass = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'edge' }, spec });
const classCases: Array<[string, Record<string, unknown>, string[]]> = [
  ['valid', { controller: 'example.com/edge' }, []],
  ['controller required', {}, ['spec.controller: Required value']],
  ['controller is domain-prefixed', { controller: 'edge' }, ['spec.controller: Invalid value: "edge": must be a domain-prefixed path (such as "acme.io/foo")']],
  ['parameters scope defaults to Cluster', { controller: 'example.com/edge', parameters: { kind: 'Config', name: 'c' } }, []],
  ['a namespaced reference names its namespace', { controller: 'example.com/edge', parameters: { kind: 'Config', name: 'c', scope: 'Namespace' } }, ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"]],
];
for (const [what, spec, want] of classCases) test(`ingressclass: ${what}`, () => assert.equal(lines(IC, klass(spec)), want));

test('ingressclass: the controller is immutable', () => {
  const old = { ...klass({ controller: 'example.com/edge' }), metadata: { name: 'edge', resourceVersion: '1' } };
  const cur = { ...klass({ controller: 'example.com/other' }), metadata: { name: 'edge', resourceVersion: '1' } };
  assert.equal(lines(IC, cur, old), ['spec.controller: Invalid value: "example.com/other": field is immutable']);
});

test('tables: kubectl get ingress and ingressclass columns', () => {
  const p = printerFor('networking.k8s.io', 'ingresses');
  assert.equal(p.columns.map((c) => c.name), ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
  const ing = { ...ingress({ ingressClassName: 'kubeactor', rules: [rule({}, 'a.com'), rule({}, 'b.com'), rule({}, ''), rule({}, 'c.com'), rule({}, 'd.com')], tls: [{ hosts: ['a.com'] }] }), status: { loadBalancer: { ingress: [{ ip: '127.0.3.1' }] } } };
  assert.equal(p.cells(ing as never, 0).slice(0, 5), ['web', 'kubeactor', 'a.com,b.com,c.com + 2 more...', '127.0.3.1', '80, 443']);
  assert.equal(p.cells(ingress({ defaultBackend: backend }) as never, 0).slice(0, 5), ['web', '<none>', '*', '', '80']);
  const c = printerFor('networking.k8s.io', 'ingressclasses');
  assert.equal(c.columns.map((x) => x.name), ['Name', 'Controller', 'Parameters', 'Age']);
  assert.equal(c.cells(klass({ controller: 'kubeactor.io/ingress', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } }) as never, 0).slice(0, 3), ['edge', 'kubeactor.io/ingress', 'IngressParameters.k8s.example.com/external-lb']);
});

test.run();
