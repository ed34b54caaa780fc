import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kindByGvk, type KubeObject } from '../../api/kinds.ts';

const Pod = kindByGvk('v1', 'Pod')!;
const lines = (spec: Record<string, unknown>): string[] => {
  const obj: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec };
  return Pod.validate(Pod.defaults(obj), undefined).map((c) => `${c.field}: ${c.message}`);
};
const withVolume = (v: Record<string, unknown>, mount: Record<string, unknown> = {}): Record<string, unknown> => ({
  volumes: [{ name: 'v', ...v }],
  containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'v', mountPath: '/data', ...mount }] }],
});

const cases: Array<[string, Record<string, unknown>, string[]]> = [
  ['every supported source, valid', {
    volumes: [
      { name: 'a', emptyDir: { sizeLimit: '1Gi' } },
      { name: 'b', hostPath: { path: '/srv', type: 'DirectoryOrCreate' } },
      { name: 'c', configMap: { name: 'cfg', items: [{ key: 'k', path: 'dir/k.conf', mode: 0o600 }], defaultMode: 0o644 } },
      { name: 'd', secret: { secretName: 's' } },
      { name: 'e', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu' } }] } },
      { name: 'f', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }, { configMap: { name: 'cfg' } }] } },
    ],
    containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'a', mountPath: '/a', subPath: 'x/y' }, { name: 'e', mountPath: '/e', subPathExpr: '$(POD)' }] }],
  }, []],
  ['duplicate volume names', { volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }], containers: [{ name: 'c', image: 'x' }] }, ['spec.volumes[1].name: Duplicate value: "v"']],
  ['no source is defaulted to emptyDir, as Kubernetes does', withVolume({}), []],
  ['two sources', withVolume({ emptyDir: {}, configMap: { name: 'x' } }), ['spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type']],
  ['hostPath required path', withVolume({ hostPath: { path: '' } }), ['spec.volumes[0].hostPath.path: Required value']],
  ['hostPath with ..', withVolume({ hostPath: { path: '/srv/../etc' } }), ['spec.volumes[0].hostPath.path: Invalid value: "/srv/../etc": must not contain \'..\'']],
  ['hostPath type', withVolume({ hostPath: { path: '/srv', type: 'Dir' } }), ['spec.volumes[0].hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"']],
  ['secret name required, bad defaultMode', withVolume({ secret: { defaultMode: 0o1777 } }), [
    'spec.volumes[0].secret.secretName: Required value',
    'spec.volumes[0].secret.defaultMode: Invalid value: 1023: must be a number between 0 and 0777 (octal), both inclusive',
  ]],
  ['configMap item path escapes', withVolume({ configMap: { name: 'c', items: [{ key: 'k', path: '../k' }, { key: 'k', path: '/abs' }, { key: '', path: '..data' }] } }), [
    'spec.volumes[0].configMap.items[0].path: Invalid value: "../k": must not contain \'..\'',
    'spec.volumes[0].configMap.items[1].path: Invalid value: "/abs": must be a relative path',
    'spec.volumes[0].configMap.items[2].key: Required value',
    'spec.volumes[0].configMap.items[2].path: Invalid value: "..data": must not start with \'..\'',
  ]],
  ['downwardAPI field not allowed in a volume', withVolume({ downwardAPI: { items: [{ path: 'ip', fieldRef: { fieldPath: 'status.podIP' } }] } }), [
    'spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: "status.podIP": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
  ]],
  ['projected: duplicate paths, short token', withVolume({ projected: { sources: [{ configMap: { name: 'a', items: [{ key: 'k', path: 'x' }] } }, { secret: { name: 'b', items: [{ key: 'k', path: 'x' }] } }, { serviceAccountToken: { path: 't', expirationSeconds: 60 } }] } }), [
    'spec.volumes[0].projected: Invalid value: "b": conflicting duplicate paths',
    'spec.volumes[0].projected.sources[2].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
  ]],
  ['subPath escapes (Kubernetes names the field without the index)', withVolume({ emptyDir: {} }, { subPath: '../etc' }), ['spec.containers[0].volumeMounts.subPath: Invalid value: "../etc": must not contain \'..\'']],
  ['absolute subPath', withVolume({ emptyDir: {} }, { subPath: '/etc' }), ['spec.containers[0].volumeMounts.subPath: Invalid value: "/etc": must be a relative path']],
  ['subPath and subPathExpr', withVolume({ emptyDir: {} }, { subPath: 'a', subPathExpr: 'b' }), ['spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "b": subPathExpr and subPath are mutually exclusive']],
  ['unknown volume in a mount', { containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'nope', mountPath: '/d' }] }] }, ['spec.containers[0].volumeMounts[0].name: Not found: "nope"']],
  ['mountPath required', withVolume({ emptyDir: {} }, { mountPath: '' }), ['spec.containers[0].volumeMounts[0].mountPath: Required value']],
];

for (const [name, spec, want] of cases) test(`pod volumes: ${name}`, () => assert.equal(lines(spec), want));

test.run();
