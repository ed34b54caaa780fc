/**
 * fast-check arbitraries of Kubernetes objects drawn from the generated field structure
 * (api/validation/schema/types.generated.ts): every field optional, values from pools of
 * valid and near-valid strings, numbers at the edges of their Go types. What they make
 * decodes as the kind (mostly), so defaulting and validation — not the type check — see it.
 */
import fc from 'fast-check';
import { structs } from '../../api/validation/schema/types.generated.ts';

const STRINGS = [
  '', 'a', 'web', 'web-1', 'nginx', 'busybox:1.36', 'A B', '-x', 'x-', 'a.b', 'a/b', 'a..b', 'default', 'kube-system',
  'x'.repeat(64), 'y'.repeat(254), 'Always', 'IfNotPresent', 'Never', 'OnFailure', 'TCP', 'UDP', 'SCTP', 'HTTP',
  'ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName', 'None', 'RollingUpdate', 'Recreate', 'OnDelete', 'Parallel',
  'OrderedReady', 'In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', 'Equal', 'NoSchedule', 'NoExecute',
  'PreferNoSchedule', 'Retain', 'Delete', 'ReadWriteOnce', 'Filesystem', 'Block', 'Local', 'Cluster', 'Allow', 'Forbid',
  'Replace', 'Fail', 'Ignore', 'Exact', 'Equivalent', 'Prefix', 'ImplementationSpecific', 'Pods', 'Resource', 'Object',
  'Utilization', 'AverageValue', 'Value', 'True', 'False', 'Unknown', 'Ready', 'apps/v1', 'v1', 'Pod', 'Deployment',
  '100m', '1Gi', '0', '-1', '1e3', 'x1', '2024-01-01T00:00:00Z', 'yesterday', '10.0.0.1', '999.1.1.1', '::1',
  '10.0.0.0/8', '/tmp', '/', 'a/../b', '*/5 * * * *', '@hourly', 'bad cron', 'self.x > 1', '!!', 'aGk=', '%',
  'example.com/x', 'kubernetes.io/hostname', 'http', '8080', 'RuntimeDefault', 'Unconfined', 'Localhost',
  'spec.nodeName', 'metadata.name', 'ÿ', '\u0000', 'a\nb',
];
const INTS = [0, 1, -1, 2, 3, 10, 80, 100, 443, 65535, 65536, 2147483647, -2147483648];
const KEYS = ['a', 'app', 'example.com/x', 'kubernetes.io/os', 'cpu', 'memory', 'nvidia.com/gpu', 'A B', '', 'x/y/z', 'pods', 'requests.cpu'];

const str = fc.constantFrom(...STRINGS);
const scalar = (code: string): fc.Arbitrary<unknown> | undefined => {
  switch (code) {
    case 's': return str;
    case 'b': return fc.boolean();
    case 'i32': return fc.oneof(fc.constantFrom(...INTS), fc.integer({ min: -5, max: 20 }));
    case 'i64': return fc.oneof(fc.constantFrom(...INTS, 2 ** 53, -(2 ** 40)), fc.integer({ min: -5, max: 20 }));
    case 'f64': return fc.constantFrom(0, 0.5, -1, 1e9, 1.25);
    case 'ns': return fc.oneof(str, fc.constantFrom(...INTS));
    case 'y': return fc.constantFrom('', 'aGk=', 'aGVsbG8=');
    case 't': case 'tm': return fc.constantFrom('2024-01-01T00:00:00Z', '2030-06-01T12:30:00Z', '1970-01-01T00:00:00Z');
    case 'q': return fc.constantFrom('0', '1', '100m', '1Gi', '1.5', '-1', '1e3', '2k', '0.0001', '1Ei', '1e1000');
    case 'x': return fc.jsonValue({ maxDepth: 2 });
  }
  return undefined;
};

const cache = new Map<string, fc.Arbitrary<unknown>>();

/** An arbitrary value of the encoded type `code`; structs nest at most `depth` levels. */
export function typed(code: string, depth = 6): fc.Arbitrary<unknown> {
  const id = `${code}@${depth}`;
  const hit = cache.get(id);
  if (hit) return hit;
  let arb: fc.Arbitrary<unknown>;
  const s = scalar(code);
  if (s) arb = s;
  else if (code.startsWith('[')) arb = depth <= 0 ? fc.constant([]) : fc.array(typed(code.slice(1), depth - 1), { maxLength: 3 });
  else if (code.startsWith('{')) {
    arb = depth <= 0 ? fc.constant({}) : fc.dictionary(fc.constantFrom(...KEYS), typed(code.slice(1), depth - 1), { maxKeys: 3 }).map((d) => Object.assign({}, d));
  } else {
    const fields = structs[code];
    if (!fields || depth <= 0) arb = fc.constant({});
    else {
      const names = Object.keys(fields);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      // Lazily: a struct's fields are built only when a value of it is drawn.
      for (const n of names) model[n] = fc.constant(null).chain(() => typed(fields[n]!, depth - 1));
      // Sparse: each field is present with a small chance, as a real manifest sets few of them.
      arb = fc.subarray(names, { maxLength: Math.min(names.length, 6) })
        .chain((picked) => (picked.length ? fc.record(Object.fromEntries(picked.map((n) => [n, model[n]!]))) : fc.constant({})))
        .map((o) => Object.assign({}, o));
    }
  }
  cache.set(id, arb);
  return arb;
}

/** An object of the struct `schema` ("core/v1.Pod") with apiVersion, kind and a name filled in. */
export function objectOf(schema: string, apiVersion: string, kind: string, namespace?: string): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(typed(schema), fc.constantFrom('a', 'web-1', 'x.y', 'Bad_Name')).map(([o, name]) => {
    const obj = o as Record<string, unknown>;
    const meta = (typeof obj.metadata === 'object' && obj.metadata !== null ? obj.metadata : {}) as Record<string, unknown>;
    return { ...obj, apiVersion, kind, metadata: { ...meta, name, ...(namespace ? { namespace } : {}) } };
  });
}
