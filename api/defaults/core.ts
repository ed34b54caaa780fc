/** Defaulting of Namespace, Secret, Endpoints and Node (pkg/apis/core/v1/defaults.go and the namespace strategy). */
import type { Endpoints, Namespace, Node, Secret } from 'kubernetes-types/core/v1.js';
import { clone } from '../json.ts';

/** Namespace: the kubernetes.io/metadata.name label, the `kubernetes` finalizer, phase Active. */
export function defaultNamespace(ns: Namespace): Namespace {
  const o = clone(ns);
  const meta = (o.metadata ??= {});
  if (meta.name) meta.labels = { ...meta.labels, 'kubernetes.io/metadata.name': meta.name };
  const spec = (o.spec ??= {});
  spec.finalizers ??= ['kubernetes'];
  (o.status ??= {}).phase ??= 'Active';
  return o;
}

/**
 * Secret defaults, and v1's write-only `stringData`: merged into `data` (base64), overwriting
 * keys there, and never stored or read back — as Kubernetes' v1 → internal conversion does.
 */
export function defaultSecret(s: Secret): Secret {
  const o = clone(s);
  o.type ??= 'Opaque';
  if (o.stringData !== undefined && o.stringData !== null) {
    const data: Record<string, string> = { ...(o.data ?? {}) };
    for (const [k, v] of Object.entries(o.stringData)) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
    o.data = data;
    delete o.stringData;
  }
  return o;
}

export function defaultEndpoints(ep: Endpoints): Endpoints {
  const o = clone(ep);
  for (const subset of o.subsets ?? []) for (const p of subset.ports ?? []) p.protocol ??= 'TCP';
  return o;
}

/** SetDefaults_NodeStatus: allocatable defaults to capacity. */
export function defaultNode(node: Node): Node {
  const o = clone(node);
  if (o.status?.capacity && !o.status.allocatable) o.status.allocatable = { ...o.status.capacity };
  return o;
}
