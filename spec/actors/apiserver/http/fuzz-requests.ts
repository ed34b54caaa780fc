/**
 * fast-check arbitraries of HTTP requests to the REST front: methods (real and made-up),
 * paths from the API's shape with mutations, query parameters with bad values, content
 * types (JSON, YAML, protobuf, the patch types, garbage) and bodies (objects of real kinds,
 * broken JSON and YAML, mutated protobuf frames, random bytes). Shared by
 * fuzz.property.spec.ts and the `rest` soak.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { objectOf } from '../../../helpers/fuzz-objects.ts';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const NAMES = ['target', 'target', 'target', 'p', 'p', 'd', 'd', 'missing', 'a.b', 'UPPER', '-x', '%2F', '..', 'x'.repeat(300), 'ümlaut', ''];
const name = fc.constantFrom(...NAMES);
const ns = fc.constantFrom('default', 'default', 'default', 'default', 'default', 'kube-system', 'nope', 'Bad_NS', '');
const resource = fc.constantFrom(
  ['/api/v1', 'configmaps', true], ['/api/v1', 'configmaps', true], ['/api/v1', 'pods', true], ['/api/v1', 'pods', true],
  ['/apis/apps/v1', 'deployments', true], ['/api/v1', 'services', true], ['/api/v1', 'secrets', true],
  ['/api/v1', 'namespaces', false], ['/api/v1', 'nodes', false], ['/api/v1', 'events', true], ['/api/v1', 'persistentvolumes', false],
  ['/apis/apps/v1', 'deployments', true], ['/apis/apps/v1', 'statefulsets', true], ['/apis/batch/v1', 'jobs', true],
  ['/apis/rbac.authorization.k8s.io/v1', 'clusterroles', false], ['/apis/coordination.k8s.io/v1', 'leases', true],
  ['/apis/apiextensions.k8s.io/v1', 'customresourcedefinitions', false], ['/apis/nope/v1', 'things', true], ['/api/v2', 'pods', true],
) as fc.Arbitrary<[string, string, boolean]>;
const sub = fc.constantFrom('', '', '', '', '', '', '', '/status', '/status', '/scale', '/log', '/eviction', '/binding', '/exec', '/finalize', '/proxy', '/nope');

const resourcePath = fc.tuple(resource, ns, fc.option(name), sub).map(([[base, res, namespaced], n, obj, s]) =>
  `${base}${namespaced ? `/namespaces/${n}` : ''}/${res}${obj === null ? '' : `/${obj}${s}`}`);
const fixedPath = fc.constantFrom(
  '/', '/api', '/apis', '/api/v1', '/apis/apps', '/apis/apps/v1', '/version', '/healthz', '/readyz', '/livez', '/openapi/v2',
  '/openapi/v3', '/openapi/v3/api/v1', '/metrics', '/apis/authentication.k8s.io/v1/selfsubjectreviews',
  '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', '/apis/metrics.k8s.io/v1beta1/pods', '/nope', '//', '/api/v1/namespaces/default/../../',
);
/** Mutations of a path: a doubled slash, a dropped or repeated segment, percent-encoding, a trailing slash. */
const mutatePath = (p: string, how: number): string => {
  const segs = p.split('/');
  switch (how) {
    case 1: return p.replace('/', '//');
    case 2: return segs.filter((_, i) => i !== 1 + (p.length % Math.max(1, segs.length - 1))).join('/');
    case 3: return `${p}/${segs[segs.length - 1]}`;
    case 4: return p.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`);
    case 5: return `${p}/`;
    case 6: return `${p}%`;
    default: return p;
  }
};
const query = fc.array(fc.constantFrom(
  'labelSelector=app%3Dweb', 'labelSelector=%21%21', 'labelSelector=a+in+(', 'fieldSelector=metadata.name%3Dx', 'fieldSelector=spec.nope%3D1',
  'limit=1', 'limit=-1', 'limit=abc', 'continue=garbage', 'continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ', 'resourceVersion=abc', 'resourceVersion=0',
  'resourceVersionMatch=Exact', 'resourceVersionMatch=NotOlderThan', 'dryRun=All', 'dryRun=Some', 'fieldManager=fuzz',
  'fieldManager=' + 'm'.repeat(200), 'fieldValidation=Strict', 'fieldValidation=Bogus', 'force=true', 'force=maybe', 'propagationPolicy=Orphan',
  'propagationPolicy=Bogus', 'gracePeriodSeconds=-5', 'gracePeriodSeconds=x', 'pretty=true', 'timeoutSeconds=1', 'timeout=5s', 'timeout=zz',
  'container=c', 'tailLines=-1', 'sinceSeconds=abc', 'includeObject=Object', 'orphanDependents=true', 'allowWatchBookmarks=true', 'a=%ZZ',
), { maxLength: 3 }).map((q) => (q.length ? `?${q.join('&')}` : ''));

export const path = fc.tuple(fc.oneof({ arbitrary: resourcePath, weight: 4 }, { arbitrary: fixedPath, weight: 1 }), fc.integer({ min: 0, max: 30 }), query)
  .map(([p, how, q]) => `${mutatePath(p, how)}${q}`);

const CONTENT_TYPES = [
  'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/merge-patch+json',
  'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml', 'text/plain',
  'application/json; charset=utf-16', 'application/xml', 'garbage', '', 'application/json;;;', 'multipart/form-data; boundary=x',
];
const ACCEPTS = [
  'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', 'application/json;as=Nope;v=v9;g=x', '*/*', 'text/html', 'garbage', '',
  'application/json;stream=watch',
];

// ---- bodies -----------------------------------------------------------------------------

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n >>>= 7; }
  out.push(n);
  return out;
}
const field = (no: number, bytes: Buffer): Buffer => Buffer.concat([Buffer.from([(no << 3) | 2, ...varint(bytes.length)]), bytes]);
/** A ConfigMap in Kubernetes' protobuf envelope ("k8s\0", runtime.Unknown). */
function protobufConfigMap(name: string, data: Record<string, string>): Buffer {
  const meta = field(1, Buffer.from(name));
  const entries = Object.entries(data).map(([k, v]) => field(2, Buffer.concat([field(1, Buffer.from(k)), field(2, Buffer.from(v))])));
  const cm = Buffer.concat([field(1, meta), ...entries]);
  const typeMeta = Buffer.concat([field(1, Buffer.from('v1')), field(2, Buffer.from('ConfigMap'))]);
  return Buffer.concat([Buffer.from('k8s\0'), field(1, typeMeta), field(2, cm), field(4, Buffer.from('application/vnd.kubernetes.protobuf'))]);
}

const KINDS: Array<[string, string, string]> = [
  ['core/v1.ConfigMap', 'v1', 'ConfigMap'], ['core/v1.Pod', 'v1', 'Pod'], ['apps/v1.Deployment', 'apps/v1', 'Deployment'],
  ['core/v1.Service', 'v1', 'Service'], ['core/v1.Namespace', 'v1', 'Namespace'], ['batch/v1.Job', 'batch/v1', 'Job'],
  ['core/v1.Pod', 'v1', 'Pod'], ['core/v1.PersistentVolumeClaim', 'v1', 'PersistentVolumeClaim'], ['core/v1.LimitRange', 'v1', 'LimitRange'],
  ['core/v1.ResourceQuota', 'v1', 'ResourceQuota'], ['core/v1.Secret', 'v1', 'Secret'], ['core/v1.ServiceAccount', 'v1', 'ServiceAccount'],
  ['apps/v1.StatefulSet', 'apps/v1', 'StatefulSet'], ['apps/v1.DaemonSet', 'apps/v1', 'DaemonSet'], ['batch/v1.CronJob', 'batch/v1', 'CronJob'],
  ['networking/v1.Ingress', 'networking.k8s.io/v1', 'Ingress'], ['policy/v1.PodDisruptionBudget', 'policy/v1', 'PodDisruptionBudget'],
  ['autoscaling/v2.HorizontalPodAutoscaler', 'autoscaling/v2', 'HorizontalPodAutoscaler'], ['core/v1.Node', 'v1', 'Node'],
  ['core/v1.PersistentVolume', 'v1', 'PersistentVolume'], ['rbac/v1.Role', 'rbac.authorization.k8s.io/v1', 'Role'],
  ['rbac/v1.ClusterRoleBinding', 'rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'], ['scheduling/v1.PriorityClass', 'scheduling.k8s.io/v1', 'PriorityClass'],
  ['core/v1.Endpoints', 'v1', 'Endpoints'], ['core/v1.Event', 'v1', 'Event'], ['coordination/v1.Lease', 'coordination.k8s.io/v1', 'Lease'],
];
const kubeObject = fc.constantFrom(...KINDS).chain(([schema, av, kind]) => objectOf(schema, av, kind));
const patchOps = fc.array(fc.record({
  op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'),
  path: fc.constantFrom('/metadata/labels/a', '/data/k', '/spec/replicas', '/metadata/name', '', '/x/-', '/metadata/finalizers/-', 'bad'),
  from: fc.constantFrom('/data/k', '/metadata', '/nope'),
  value: fc.jsonValue({ maxDepth: 2 }),
}, { requiredKeys: ['op', 'path'] }), { maxLength: 4 });

/** Truncation or a flipped byte: what a broken client or network sends. */
const mutateBytes = (b: Buffer, how: number, at: number): Buffer => {
  if (b.length === 0 || how === 0) return b;
  const i = at % b.length;
  if (how === 1) return b.subarray(0, i);
  const c = Buffer.from(b);
  c[i] = (c[i]! ^ (1 << (at % 8))) & 0xff;
  return c;
};

const bodyText = fc.oneof(
  { arbitrary: kubeObject.map((o) => JSON.stringify(o)), weight: 4 },
  { arbitrary: kubeObject.map((o) => stringify(o)), weight: 2 },
  { arbitrary: patchOps.map((o) => JSON.stringify(o)), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), weight: 2 },
  { arbitrary: fc.constantFrom('{', '[', '{"a":', '---\n- a: [', 'a: b: c', '{"metadata":{"name":"x"}}{"y":1}', '\uFEFF{}', 'null', '[]', '', 'key: !!binary "AA=="',
    '&a [*a]', '{"__proto__":{"x":1}}', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":1}}'), weight: 2 },
  { arbitrary: fc.string({ maxLength: 60 }), weight: 1 },
);
export const body: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 2 },
  { arbitrary: fc.tuple(bodyText, fc.integer({ min: 0, max: 6 }), fc.nat()).map(([t, how, at]) => mutateBytes(Buffer.from(t), how > 2 ? 0 : how, at)), weight: 8 },
  { arbitrary: fc.tuple(name, fc.dictionary(fc.constantFrom('a', 'b', ''), fc.constantFrom('x', '')), fc.integer({ min: 0, max: 3 }), fc.nat())
    .map(([n, d, how, at]) => mutateBytes(protobufConfigMap(n, Object.assign({}, d)), how > 2 ? 0 : how, at)), weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), weight: 1 },
);

/** Where each kind's objects live: its collection and the name of the object the spec seeds (if any). */
const HOMES: Record<string, [collection: string, seeded: string]> = {
  ConfigMap: ['/api/v1/namespaces/default/configmaps', 'target'],
  Pod: ['/api/v1/namespaces/default/pods', 'p'],
  Deployment: ['/apis/apps/v1/namespaces/default/deployments', 'd'],
  Service: ['/api/v1/namespaces/default/services', 'svc'],
  Namespace: ['/api/v1/namespaces', 'ns'],
  Job: ['/apis/batch/v1/namespaces/default/jobs', 'job'],
  PersistentVolumeClaim: ['/api/v1/namespaces/default/persistentvolumeclaims', 'pvc'],
  LimitRange: ['/api/v1/namespaces/default/limitranges', 'lr'],
  ResourceQuota: ['/api/v1/namespaces/default/resourcequotas', 'rq'],
  Secret: ['/api/v1/namespaces/default/secrets', 's'],
  ServiceAccount: ['/api/v1/namespaces/default/serviceaccounts', 'sa'],
  StatefulSet: ['/apis/apps/v1/namespaces/default/statefulsets', 'sts'],
  DaemonSet: ['/apis/apps/v1/namespaces/default/daemonsets', 'ds'],
  CronJob: ['/apis/batch/v1/namespaces/default/cronjobs', 'cj'],
  Ingress: ['/apis/networking.k8s.io/v1/namespaces/default/ingresses', 'ing'],
  PodDisruptionBudget: ['/apis/policy/v1/namespaces/default/poddisruptionbudgets', 'pdb'],
  HorizontalPodAutoscaler: ['/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', 'hpa'],
  Node: ['/api/v1/nodes', 'n1'],
  PersistentVolume: ['/api/v1/persistentvolumes', 'pv'],
  Role: ['/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', 'r'],
  ClusterRoleBinding: ['/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', 'crb'],
  PriorityClass: ['/apis/scheduling.k8s.io/v1/priorityclasses', 'pc'],
  Endpoints: ['/api/v1/namespaces/default/endpoints', 'svc'],
  Event: ['/api/v1/namespaces/default/events', 'ev'],
  Lease: ['/apis/coordination.k8s.io/v1/namespaces/default/leases', 'l'],
};
const PATCH_TYPES = ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml'];

/**
 * Requests that reach the object model: an object of the right kind POSTed to its
 * collection or PUT over the seeded one, and patches of the four types on the seeded object
 * (with fieldManager for apply), so decoding, defaulting, validation and patching run.
 */
const coherent: fc.Arbitrary<FuzzRequest> = fc.constantFrom(...KINDS).chain(([schema, av, kind]) => {
  const [collection, seeded] = HOMES[kind]!;
  const obj = objectOf(schema, av, kind).map((o) => ({ ...o, metadata: { ...(o.metadata as object), name: seeded } }));
  const json = { 'content-type': 'application/json' };
  return fc.oneof(
    fc.tuple(obj, fc.constantFrom(seeded, 'new-1', 'new-2', 'new-3'))
      .map(([o, n]): FuzzRequest => ({ method: 'POST', path: collection, headers: json, body: Buffer.from(JSON.stringify({ ...o, metadata: { ...(o.metadata as object), name: n } })) })),
    obj.map((o): FuzzRequest => ({ method: 'PUT', path: `${collection}/${seeded}`, headers: json, body: Buffer.from(JSON.stringify(o)) })),
    fc.tuple(fc.constantFrom(...PATCH_TYPES), obj, patchOps, fc.constantFrom('', '/status'), fc.constantFrom('', '&force=true', '&dryRun=All', '&fieldValidation=Strict'))
      .map(([type, o, ops, subresource, q]): FuzzRequest => ({
        method: 'PATCH',
        path: `${collection}/${seeded}${subresource}?fieldManager=fuzz${q}`,
        headers: { 'content-type': type },
        body: Buffer.from(type === 'application/json-patch+json' ? JSON.stringify(ops) : type.endsWith('yaml') ? stringify(o) : JSON.stringify(o)),
      })),
  );
});

/** Headers beside the content type: impersonation, encodings, a bad token, odd bytes. */
const EXTRA_HEADERS: Array<[string, string]> = [
  ['impersonate-user', 'nobody'], ['impersonate-user', 'system:serviceaccount:default:default'], ['impersonate-group', 'system:masters'],
  ['impersonate-uid', 'x'], ['content-encoding', 'gzip'], ['accept-encoding', 'gzip'], ['x-http-method-override', 'DELETE'],
  ['authorization', 'Bearer garbage'], ['authorization', 'Basic Og=='], ['user-agent', 'kubectl/v1.32 \u00ff'], ['expect', '100-continue'],
  ['x-remote-user', 'admin'], ['if-match', '*'], ['range', 'bytes=0-1'],
];

const chaotic: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.oneof({ arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), weight: 10 }, { arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'FOO', 'TRACE'), weight: 1 }),
  path,
  contentType: fc.constantFrom(...CONTENT_TYPES),
  accept: fc.constantFrom(...ACCEPTS),
  body,
  extra: fc.subarray(EXTRA_HEADERS, { maxLength: 2 }),
}).map(({ method, path, contentType, accept, body, extra }) => ({
  method,
  path,
  headers: { ...(contentType ? { 'content-type': contentType } : {}), ...(accept ? { accept } : {}), ...Object.fromEntries(extra) },
  ...(body !== undefined ? { body } : {}),
}));

export const request: fc.Arbitrary<FuzzRequest> = fc.oneof({ arbitrary: chaotic, weight: 3 }, { arbitrary: coherent, weight: 2 });
