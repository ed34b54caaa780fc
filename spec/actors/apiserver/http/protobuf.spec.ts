import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { decodeKubeProtobuf } from '../../../../actors/apiserver/http/protobuf/decode.ts';

/** Bodies captured from kubectl 1.32's `kubectl create deployment|secret|service` (typed clients send protobuf). */
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.pb`, import.meta.url));

test('kubectl create deployment d1 --image=nginx --port=80 --replicas=2', () => {
  const r = decodeKubeProtobuf(fixture('create-deployment'));
  assert.ok(r.ok);
  // The same object `kubectl create deployment ... --dry-run=client -o json` prints, minus null timestamps.
  assert.equal(r.ok && r.value, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd1', labels: { app: 'd1' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'd1' } },
      template: { metadata: { labels: { app: 'd1' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }] } },
      strategy: {},
    },
  });
});

test('secrets keep bytes as base64; services their IntOrString target ports', () => {
  const s = decodeKubeProtobuf(fixture('create-secret'));
  assert.equal(s.ok && s.value, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, data: { a: Buffer.from('b').toString('base64') } });
  const svc = decodeKubeProtobuf(fixture('create-service'));
  assert.equal(svc.ok && (svc.value as any).spec.ports, [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]);
});

test('bodies it cannot read faithfully are refused with a Status, not guessed at', () => {
  const unknownKind = Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0x0c, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x06, ...Buffer.from('Widget')])]);
  const r = decodeKubeProtobuf(unknownKind);
  assert.is(!r.ok && r.status.code, 415);
  assert.match(!r.ok ? r.status.message : '', 'v1 Widget');
  // A ConfigMap whose field 9 (unknown here) carries a value.
  const cm = Buffer.from([0x0a, 0x0f, 0x0a, 0x02, ...Buffer.from('v1'), 0x12, 0x09, ...Buffer.from('ConfigMap'), 0x12, 0x02, 0x48, 0x01]);
  const bad = decodeKubeProtobuf(Buffer.concat([Buffer.from('k8s\0'), cm]));
  assert.is(!bad.ok && bad.status.code, 415);
  assert.is(!decodeKubeProtobuf(Buffer.from('not protobuf')).ok, true);
  const truncated = decodeKubeProtobuf(Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0x20, 0x01])]));
  assert.is(!truncated.ok && truncated.status.code, 400);
});

test.run();
