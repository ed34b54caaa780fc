import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { strategicMergePatch } from '../../api/patch/strategic.ts';
import type { PatchKind } from '../../api/patch/meta.ts';
import { deploymentKind } from '../../api/kinds/apps/deployment.ts';
import { podKind } from '../../api/kinds/core/pod.ts';
import { serviceKind } from '../../api/kinds/core/service.ts';

const apply = (obj: unknown, patch: unknown, kind: PatchKind = podKind): unknown => {
  const r = strategicMergePatch(obj, patch, kind);
  if (!r.ok) throw new Error(r.status.message);
  return r.value;
};
const podSpec = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
const deploySpec = (podSpec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ spec: { ...extra, template: { metadata: { labels: { app: 'web' } }, spec: podSpec } } });

const cases: Array<[string, PatchKind, unknown, unknown, unknown]> = [
  ['containers merge by name; a new one is appended', podKind,
    podSpec({ containers: [{ name: 'nginx', image: 'nginx:1.14' }] }),
    { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } },
    podSpec({ containers: [{ name: 'nginx', image: 'nginx:1.14' }, { name: 'sidecar', image: 'busybox' }] })],
  ['a container field is updated in place', podKind,
    podSpec({ containers: [{ name: 'a', image: 'x:1', args: ['1'] }, { name: 'b', image: 'y' }] }),
    { spec: { containers: [{ name: 'a', image: 'x:2' }] } },
    podSpec({ containers: [{ name: 'a', image: 'x:2', args: ['1'] }, { name: 'b', image: 'y' }] })],
  ['$patch: delete removes a container by its merge key', podKind,
    podSpec({ containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] }),
    { spec: { containers: [{ name: 'a', $patch: 'delete' }] } },
    podSpec({ containers: [{ name: 'b', image: 'y' }] })],
  ['$patch: replace as a list element replaces the list', podKind,
    podSpec({ containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] }),
    { spec: { containers: [{ $patch: 'replace' }, { name: 'c', image: 'z' }] } },
    podSpec({ containers: [{ name: 'c', image: 'z' }] })],
  ['ports merge by containerPort', podKind,
    podSpec({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, name: 'http' }] }] }),
    { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }] }] } },
    podSpec({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }] }] })],
  ['env merges by name; value replaced, valueFrom dropped by null', podKind,
    podSpec({ containers: [{ name: 'a', env: [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] }] }),
    { spec: { containers: [{ name: 'a', env: [{ name: 'A', value: '2' }, { name: 'B', value: 'x', valueFrom: null }] }] } },
    podSpec({ containers: [{ name: 'a', env: [{ name: 'A', value: '2' }, { name: 'B', value: 'x' }] }] })],
  ['volumes merge by name and $retainKeys clears the old source', podKind,
    podSpec({ volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }] }),
    { spec: { volumes: [{ $retainKeys: ['hostPath', 'name'], name: 'data', hostPath: { path: '/tmp' } }] } },
    podSpec({ volumes: [{ name: 'data', hostPath: { path: '/tmp' } }, { name: 'cfg', configMap: { name: 'c' } }] })],
  ['volumeMounts merge by mountPath', podKind,
    podSpec({ containers: [{ name: 'a', volumeMounts: [{ name: 'v', mountPath: '/a' }] }] }),
    { spec: { containers: [{ name: 'a', volumeMounts: [{ name: 'w', mountPath: '/a' }, { name: 'v', mountPath: '/b' }] }] } },
    podSpec({ containers: [{ name: 'a', volumeMounts: [{ name: 'w', mountPath: '/a' }, { name: 'v', mountPath: '/b' }] }] })],
  ['tolerations are atomic: the patch list replaces', podKind,
    podSpec({ tolerations: [{ key: 'a', operator: 'Exists' }] }),
    { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } },
    podSpec({ tolerations: [{ key: 'b', operator: 'Exists' }] })],
  ['finalizers merge as a primitive list', podKind,
    { metadata: { name: 'p', finalizers: ['a/x'] } },
    { metadata: { finalizers: ['b/y', 'a/x'] } },
    { metadata: { name: 'p', finalizers: ['a/x', 'b/y'] } }],
  ['$deleteFromPrimitiveList removes finalizers', podKind,
    { metadata: { name: 'p', finalizers: ['a/x', 'b/y'] } },
    { metadata: { '$deleteFromPrimitiveList/finalizers': ['a/x'] } },
    { metadata: { name: 'p', finalizers: ['b/y'] } }],
  ['null deletes a label; maps merge', podKind,
    { metadata: { name: 'p', labels: { a: '1', b: '2' } } },
    { metadata: { labels: { a: null, c: '3' } } },
    { metadata: { name: 'p', labels: { b: '2', c: '3' } } }],
  ['$patch: replace on a map replaces it', podKind,
    { metadata: { name: 'p', labels: { a: '1', b: '2' } } },
    { metadata: { labels: { $patch: 'replace', c: '3' } } },
    { metadata: { name: 'p', labels: { c: '3' } } }],
  ['$patch: delete on a map deletes it', podKind,
    { metadata: { name: 'p', labels: { a: '1' } } },
    { metadata: { labels: { $patch: 'delete' } } },
    { metadata: { name: 'p' } }],
  ['service ports merge by port', serviceKind,
    { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
    { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } },
    { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } }],
  ['status conditions merge by type', podKind,
    { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] } },
    { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }] } }],
  ['kubectl apply body: $setElementOrder with a changed image', deploymentKind,
    deploySpec({ containers: [{ name: 'nginx', image: 'nginx:1.24' }, { name: 'sidecar', image: 'busybox' }] }),
    { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.25', name: 'nginx' }] } } } },
    deploySpec({ containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'sidecar', image: 'busybox' }] })],
  ['$setElementOrder reorders the merged list', deploymentKind,
    deploySpec({ containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }] }),
    { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'a' }], containers: [{ name: 'c', image: 'c' }] } } } },
    deploySpec({ containers: [{ name: 'c', image: 'c' }, { name: 'b', image: 'b' }, { name: 'a', image: 'a' }] })],
  ['kubectl apply body: strategy switched to Recreate with $retainKeys', deploymentKind,
    { spec: { replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } } },
    { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
    { spec: { replicas: 2, strategy: { type: 'Recreate' } } }],
  ['a primitive list without merge strategy is replaced', podKind,
    podSpec({ containers: [{ name: 'a', args: ['1', '2'] }] }),
    { spec: { containers: [{ name: 'a', args: ['3'] }] } },
    podSpec({ containers: [{ name: 'a', args: ['3'] }] })],
];
for (const [what, kind, obj, patch, want] of cases) {
  test(`strategic: ${what}`, () => assert.equal(apply(obj, JSON.parse(JSON.stringify(patch)), kind), want));
}

test('errors are 400 BadRequest', () => {
  const missingKey = strategicMergePatch(podSpec({ containers: [] }), { spec: { containers: [{ image: 'x' }] } }, podKind);
  assert.not.ok(missingKey.ok);
  if (!missingKey.ok) {
    assert.is(missingKey.status.code, 400);
    assert.is(missingKey.status.message, 'map: {"image":"x"} does not contain declared merge key: name');
  }
  const notObject = strategicMergePatch({}, [1], podKind);
  assert.not.ok(notObject.ok);
});

test('the original is not mutated', () => {
  const orig = podSpec({ containers: [{ name: 'a', image: 'x' }] });
  const before = JSON.stringify(orig);
  apply(orig, { spec: { containers: [{ name: 'a', image: 'y' }] } });
  assert.is(JSON.stringify(orig), before);
});

test.run();
