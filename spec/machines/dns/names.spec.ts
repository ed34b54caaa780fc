import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseName } from '../../../machines/dns/names.ts';

test('names under the zone read as CoreDNS\'s kubernetes plugin reads them', () => {
  const z = 'cluster.local';
  assert.equal(parseName('Web.Default.svc.cluster.local.', z), { kind: 'service', namespace: 'default', service: 'web' });
  assert.equal(parseName('db-0.db.shop.svc.cluster.local', z), { kind: 'service', namespace: 'shop', service: 'db', endpoint: 'db-0' });
  assert.equal(parseName('_http._tcp.web.default.svc.cluster.local', z), { kind: 'service', namespace: 'default', service: 'web', port: { name: 'http', protocol: 'tcp' } });
  assert.equal(parseName('10-244-0-5.default.pod.cluster.local', z), { kind: 'pod', namespace: 'default', ip: '10.244.0.5' });
  assert.equal(parseName('5.0.244.10.in-addr.arpa', z), { kind: 'reverse', ip: '10.244.0.5' });
  assert.equal(parseName('default.svc.cluster.local', z), { kind: 'empty', namespace: 'default' });
  assert.equal(parseName('cluster.local', z), { kind: 'apex' });
  assert.equal(parseName('a.b.c.d.default.svc.cluster.local', z), { kind: 'invalid' });
  assert.equal(parseName('web.default.other.cluster.local', z), { kind: 'invalid' });
  assert.equal(parseName('example.com', z), { kind: 'outside' });
  assert.equal(parseName('web.default.svc.k8s.example', 'k8s.example'), { kind: 'service', namespace: 'default', service: 'web' });
});

test.run();
