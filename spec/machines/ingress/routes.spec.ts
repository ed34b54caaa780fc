import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import { buildRoutes, lookupHost, matchRoute, tlsSecrets } from '../../../machines/ingress/routes.ts';
import { resolveBackend } from '../../../machines/ingress/endpoints.ts';

const ing = (name: string, created: string, spec: Ingress['spec']): Ingress => ({ metadata: { name, namespace: 'default', creationTimestamp: created }, spec });
const to = (service: string, number = 80) => ({ service: { name: service, port: { number } } });
const path = (p: string, pathType: string, service: string) => ({ path: p, pathType, backend: to(service) });
const where = (table: ReturnType<typeof buildRoutes>, host: string, p: string): string => {
  const m = matchRoute(table, host, p);
  return m.type === 'backend' ? m.backend.service : '404';
};

test('Prefix matches element by element; a trailing slash is ignored; Exact matches only itself', () => {
  const t = buildRoutes([ing('a', '1', { rules: [{ host: 'foo.com', http: { paths: [path('/aaa/bb', 'Prefix', 'bb'), path('/foo/', 'Prefix', 'foo'), path('/exact', 'Exact', 'exact')] } }] })]);
  assert.is(where(t, 'foo.com', '/aaa/bb'), 'bb');
  assert.is(where(t, 'foo.com', '/aaa/bb/c?x=1'), 'bb');
  assert.is(where(t, 'foo.com', '/aaa/bbb'), '404');
  assert.is(where(t, 'foo.com', '/foo'), 'foo');
  assert.is(where(t, 'foo.com', '/foo/bar'), 'foo');
  assert.is(where(t, 'foo.com', '/exact'), 'exact');
  assert.is(where(t, 'foo.com', '/exact/'), '404');
});

test('the longest path wins, then Exact over Prefix; ImplementationSpecific is Prefix', () => {
  const t = buildRoutes([ing('a', '1', { rules: [{ http: { paths: [path('/', 'Prefix', 'root'), path('/api', 'ImplementationSpecific', 'api'), path('/api/v1', 'Prefix', 'v1'), path('/api', 'Exact', 'api-exact')] } }] })]);
  assert.is(where(t, 'any.host', '/api/v1/pods'), 'v1');
  assert.is(where(t, 'any.host', '/api/v2'), 'api');
  assert.is(where(t, 'any.host', '/api'), 'api-exact');
  assert.is(where(t, 'any.host', '/x'), 'root');
});

test('hosts: exact before a one-label wildcard before rules without a host; the Host header port is ignored', () => {
  const t = buildRoutes([ing('a', '1', { rules: [
    { host: 'foo.bar.com', http: { paths: [path('/', 'Prefix', 'exact')] } },
    { host: '*.bar.com', http: { paths: [path('/', 'Prefix', 'wild')] } },
    { http: { paths: [path('/', 'Prefix', 'any')] } },
  ] })]);
  assert.is(where(t, 'Foo.Bar.com:8080', '/'), 'exact');
  assert.is(where(t, 'baz.bar.com', '/'), 'wild');
  assert.is(where(t, 'a.baz.bar.com', '/'), 'any', 'a wildcard covers one label only');
  assert.is(where(t, 'bar.com', '/'), 'any');
});

test('defaultBackend: the matched Ingress\'s own, else the oldest Ingress\'s; none is a 404', () => {
  const t = buildRoutes([
    ing('new', '2', { defaultBackend: to('new-default'), rules: [{ host: 'b.com', http: { paths: [path('/x', 'Exact', 'bx')] } }] }),
    ing('old', '1', { defaultBackend: to('old-default') }),
  ]);
  assert.is(where(t, 'b.com', '/y'), 'new-default');
  assert.is(where(t, 'c.com', '/'), 'old-default');
  assert.is(where(buildRoutes([]), 'c.com', '/'), '404');
});

test('two Ingresses claiming one path: the oldest keeps it', () => {
  const t = buildRoutes([ing('b', '2', { rules: [{ host: 'a.com', http: { paths: [path('/', 'Prefix', 'second')] } }] }), ing('a', '1', { rules: [{ host: 'a.com', http: { paths: [path('/', 'Prefix', 'first')] } }] })]);
  assert.is(where(t, 'a.com', '/'), 'first');
});

test('TLS: each host names its Secret; a server name finds its exact host, then its wildcard', () => {
  const s = tlsSecrets([ing('a', '1', { tls: [{ hosts: ['a.com', '*.b.com'], secretName: 'cert' }] })]);
  assert.equal([...s], [['a.com', 'default/cert'], ['*.b.com', 'default/cert']]);
  assert.is(lookupHost(s, 'x.b.com'), 'default/cert');
  assert.is(lookupHost(s, 'y.x.b.com'), undefined);
});

test('endpoints: the Service port by number or name, the slices\' port of that name, ready endpoints only', () => {
  const svc = { metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 'web' }] } };
  const slice = {
    metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080 }],
    endpoints: [{ addresses: ['127.242.0.5'], conditions: { ready: true } }, { addresses: ['127.242.0.6'], conditions: { ready: false } }],
  };
  const byNumber = resolveBackend({ namespace: 'default', service: 'web', port: { number: 80 } }, svc, [slice]);
  assert.equal(byNumber, { type: 'targets', targets: [{ ip: '127.242.0.5', port: 8080 }] });
  assert.equal(resolveBackend({ namespace: 'default', service: 'web', port: { name: 'http' } }, svc, [slice]), byNumber);
  assert.equal(resolveBackend({ namespace: 'default', service: 'web', port: { number: 81 } }, svc, [slice]), { type: 'unavailable', reason: 'service "default/web" has no port 81' });
  const none = { ...slice, endpoints: [slice.endpoints[1]!] };
  assert.equal(resolveBackend({ namespace: 'default', service: 'web', port: { number: 80 } }, svc, [none]), { type: 'unavailable', reason: 'service "default/web" has no ready endpoints for port 80' });
  assert.equal(resolveBackend({ namespace: 'default', service: 'gone', port: { number: 80 } }, undefined, []), { type: 'unavailable', reason: 'service "default/gone" not found' });
});

test.run();
