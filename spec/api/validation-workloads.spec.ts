import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kindByGvk, type KindInfo, type KubeObject } from '../../api/kinds.ts';

const kind = (apiVersion: string, k: string): KindInfo => {
  const info = kindByGvk(apiVersion, k);
  if (!info) throw new Error(`no kind ${apiVersion} ${k}`);
  return info;
};
const lines = (info: KindInfo, obj: KubeObject, old?: KubeObject): string[] =>
  info.validate(info.defaults(obj), old ? info.defaults(old) : undefined).map((c) => `${c.field}: ${c.message}`);
const Pod = kind('v1', 'Pod');
const pod = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec });

const podCases: Array<[string, Record<string, unknown>, string[]]> = [
  ['a valid pod', { containers: [{ name: 'c', image: 'nginx' }] }, []],
  ['containers required', { containers: [] }, ['spec.containers: Required value']],
  ['image required', { containers: [{ name: 'c' }] }, ['spec.containers[0].image: Required value']],
  ['duplicate names across init and regular', { initContainers: [{ name: 'c', image: 'i' }], containers: [{ name: 'c', image: 'nginx' }] }, ['spec.containers[0].name: Duplicate value: "c"']],
  ['container name is a DNS label', { containers: [{ name: 'C', image: 'x' }] }, ["spec.containers[0].name: Invalid value: \"C\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]],
  ['port range', { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 70000 }] }] }, ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
  ['port required', { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 0 }] }] }, ['spec.containers[0].ports[0].containerPort: Required value']],
  ['protocol', { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, protocol: 'HTTP' }] }] }, ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
  ['port name', { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, name: 'a--b' }] }] }, ['spec.containers[0].ports[0].name: Invalid value: "a--b": must not contain consecutive hyphens']],
  ['requests above limits', { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] }, ['spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1']],
  ['bad quantity (the defaulted request repeats it)', { containers: [{ name: 'c', image: 'x', resources: { limits: { memory: '1GB' } } }] }, ["spec.containers[0].resources.limits[memory]: Invalid value: \"1GB\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", "spec.containers[0].resources.requests[memory]: Invalid value: \"1GB\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]],
  ['restart policy', { restartPolicy: 'Sometimes', containers: [{ name: 'c', image: 'x' }] }, ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
  ['mount of an unknown volume', { containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'v', mountPath: '/d' }] }] }, ['spec.containers[0].volumeMounts[0].name: Not found: "v"']],
  ['toleration operator', { containers: [{ name: 'c', image: 'x' }], tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] }, ["spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'"]],
];
for (const [what, spec, want] of podCases) {
  test(`pod: ${what}`, () => assert.equal(lines(Pod, pod(spec)), want));
}

test('pod update: only images, deadlines and added tolerations may change', () => {
  const old = pod({ containers: [{ name: 'c', image: 'nginx:1' }] });
  assert.equal(lines(Pod, pod({ containers: [{ name: 'c', image: 'nginx:2' }] }), old), []);
  const changed = lines(Pod, pod({ containers: [{ name: 'c', image: 'nginx:1', command: ['sh'] }] }), old);
  assert.is(changed.length, 1);
  assert.ok(changed[0]?.startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'));
  assert.match(changed[0] ?? '', /spec\.containers\[0\]\.command/);
  const tol = { key: 'a', operator: 'Exists' };
  assert.equal(lines(Pod, pod({ containers: [{ name: 'c', image: 'nginx:1' }], tolerations: [tol] }), old), []);
});

const Deployment = kind('apps/v1', 'Deployment');
const deployment = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec });
const template = (labels?: Record<string, string>) => ({ metadata: labels ? { labels } : {}, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

const deployCases: Array<[string, Record<string, unknown>, string[]]> = [
  ['valid', { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }, []],
  ['selector does not match', { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'api' }) }, ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`']],
  ['selector required', { template: template({ app: 'web' }) }, ['spec.selector: Required value']],
  ['empty selector', { selector: {}, template: template({ app: 'web' }) }, ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment']],
  ['negative replicas', { replicas: -1, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }, ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
  ['template restart policy', { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } }, ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']],
  ['strategy type', { strategy: { type: 'BlueGreen' }, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }, ['spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"']],
  ['zero surge and unavailable', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }, ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']],
  ['template image', { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } } }, ['spec.template.spec.containers[0].image: Required value']],
];
for (const [what, spec, want] of deployCases) {
  test(`deployment: ${what}`, () => assert.equal(lines(Deployment, deployment(spec)), want));
}

test('workload selectors are immutable', () => {
  const base = { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web', v: '1' }) };
  const moved = { selector: { matchLabels: { app: 'web', v: '1' } }, template: template({ app: 'web', v: '1' }) };
  const old = deployment(base);
  old.metadata = { ...old.metadata, resourceVersion: '1' };
  assert.equal(lines(Deployment, deployment(moved), old), ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"1"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable']);
  for (const [apiVersion, k] of [['apps/v1', 'ReplicaSet'], ['apps/v1', 'DaemonSet']] as const) {
    const info = kind(apiVersion, k);
    const obj = (spec: Record<string, unknown>): KubeObject => ({ apiVersion, kind: k, metadata: { name: 'x', namespace: 'd' }, spec });
    assert.equal(lines(info, obj(base)), [], `${k} valid`);
    assert.ok(lines(info, obj(moved), obj(base)).some((l) => l.startsWith('spec.selector: Invalid value: v1.LabelSelector{') && l.endsWith(': field is immutable')), `${k} selector immutable`);
  }
});

test('statefulset updates are limited to a few spec fields', () => {
  const Sts = kind('apps/v1', 'StatefulSet');
  const obj = (spec: Record<string, unknown>): KubeObject => ({ metadata: { name: 'db', namespace: 'd' }, spec: { selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }), ...spec } });
  assert.equal(lines(Sts, obj({ replicas: 3 }), obj({ replicas: 1 })), []);
  assert.equal(lines(Sts, obj({ serviceName: 'other' }), obj({ serviceName: 'db' })), ["spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"]);
  assert.equal(lines(Sts, obj({ podManagementPolicy: 'Random' })), ['spec.podManagementPolicy: Unsupported value: "Random": supported values: "OrderedReady", "Parallel"']);
});

test('job: generated selector, restart policy and immutable template', () => {
  const Job = kind('batch/v1', 'Job');
  const job = (spec: Record<string, unknown>, uid = 'u-1'): KubeObject => ({ metadata: { name: 'pi', namespace: 'd', uid }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'perl' }] } }, ...spec } });
  assert.equal(lines(Job, job({})), []);
  assert.equal(lines(Job, job({ template: { spec: { restartPolicy: 'Always', containers: [{ name: 'c', image: 'perl' }] } } })), ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  assert.equal(lines(Job, job({ manualSelector: true, selector: { matchLabels: { a: 'b' } } })), ['spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`']);
  const changed = lines(Job, job({ template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'perl:2' }] } } }), job({}));
  assert.ok(changed.includes('spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable'));
  assert.equal(lines(Job, job({ backoffLimit: -1 })), ['spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0']);
});

test('lease, namespace finalizers and pdb', () => {
  const Lease = kind('coordination.k8s.io/v1', 'Lease');
  assert.equal(lines(Lease, { metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 0 } }), ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
  assert.equal(lines(Lease, { metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40 } }), []);
  const Pdb = kind('policy/v1', 'PodDisruptionBudget');
  assert.equal(lines(Pdb, { metadata: { name: 'p', namespace: 'd' }, spec: { minAvailable: 1, maxUnavailable: '120%' } }), ['spec.minAvailable: Invalid value: 1: minAvailable and maxUnavailable cannot be both set', 'spec.maxUnavailable: Invalid value: "120%": must not be greater than 100%']);
  const Cm = kind('v1', 'ConfigMap');
  assert.equal(lines(Cm, { metadata: { name: 'c', namespace: 'd' }, data: { 'a b': 'x' } }), ["data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"]);
  assert.equal(lines(Cm, { metadata: { name: 'c', namespace: 'd' }, immutable: true, data: { a: '2' } }, { metadata: { name: 'c', namespace: 'd' }, immutable: true, data: { a: '1' } }), ['data: Forbidden: field is immutable when `immutable` is set']);
});

test.run();
