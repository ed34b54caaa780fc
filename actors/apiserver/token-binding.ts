/**
 * Bound ServiceAccount tokens (pkg/registry/core/serviceaccount/storage/token.go and
 * pkg/serviceaccount/claims.go): a TokenRequest may name a Pod, Secret or Node in
 * spec.boundObjectRef. The token then carries that object's name and uid (a pod's node too)
 * in its `kubernetes.io` claim and authenticates only while the object exists with that uid
 * — deleting the pod ends its tokens, however long they were issued for.
 */
import type { KubeObject } from './types.ts';
import { badRequest, conflict, fail, notFound, ok, type Result } from '../../base/status.ts';
import type { ServerContext } from './context.ts';
import { readCurrent } from './store.ts';
import { objectStorageKey } from './storage-keys.ts';

export interface ObjectRef {
  name: string;
  uid: string;
}

/** The `kubernetes.io` private claim. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** For the kube-api-access token, whose expiry is extended: when it would have expired (seconds). */
  warnafter?: number;
}

export interface BoundObjects {
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

interface BoundObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
}

/** A deleted object's tokens keep working this long after its deletionTimestamp (claims.go: invalidIfDeletedBefore). */
const DELETION_GRACE_MS = 60_000;

const refOf = (o: KubeObject): ObjectRef => ({ name: o.metadata?.name ?? '', uid: o.metadata?.uid ?? '' });

async function read(s: ServerContext, resource: string, namespace: string | undefined, name: string): Promise<Result<KubeObject | null>> {
  const r = await readCurrent(s, objectStorageKey(resource, namespace, name));
  return r.ok ? ok(r.value?.obj ?? null) : r;
}

/** What a TokenRequest's boundObjectRef binds to, checked as upstream's TokenREST does. */
export async function boundObjects(s: ServerContext, namespace: string, saName: string, ref: BoundObjectReference | null | undefined): Promise<Result<BoundObjects>> {
  if (!ref) return ok({});
  const apiVersion = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  const kind = ref.kind ?? '';
  const name = ref.name ?? '';
  const resource = group === '' ? { Pod: 'pods', Secret: 'secrets', Node: 'nodes' }[kind] : undefined;
  if (!resource) return fail(badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${kind}`));
  const got = await read(s, resource, resource === 'nodes' ? undefined : namespace, name);
  if (!got.ok) return got;
  const obj = got.value;
  if (!obj) return fail(notFound(resource, name));
  const bound: BoundObjects = {};
  if (kind === 'Pod') {
    // A pod admitted without the ServiceAccount plugin runs as `default`, as the kubelet takes it.
    if (((obj.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName || 'default') !== saName) {
      return fail(badRequest(`cannot bind token for serviceaccount ${JSON.stringify(saName)} to pod running with different serviceaccount name.`));
    }
    bound.pod = refOf(obj);
    const nodeName = (obj.spec as { nodeName?: string } | undefined)?.nodeName;
    if (nodeName) {
      // A missing Node still names the node, without a uid (upstream, ServiceAccountTokenPodNodeInfo).
      const node = await read(s, 'nodes', undefined, nodeName);
      if (!node.ok) return node;
      bound.node = { name: nodeName, uid: node.value?.metadata?.uid ?? '' };
    }
  } else if (kind === 'Secret') bound.secret = refOf(obj);
  else bound.node = refOf(obj);
  if (ref.uid && ref.uid !== obj.metadata?.uid) {
    return fail(conflict(kind, name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`));
  }
  return ok(bound);
}

/** Extra user info a bound token authenticates with (authentication.kubernetes.io/…). */
export type Extra = Record<string, string[]>;

/**
 * Whether the objects a token is bound to still exist with its uids (claims.go Validate);
 * the user's extra info, or why the token no longer authenticates.
 */
export async function checkBinding(s: ServerContext, claim: KubernetesClaim): Promise<{ ok: true; extra: Extra } | { ok: false; error: string }> {
  const invalidIfDeletedBefore = s.clock.now() - DELETION_GRACE_MS;
  const ns = claim.namespace;
  const extra: Extra = {};
  const alive = async (resource: string, namespace: string | undefined, ref: ObjectRef, label: string): Promise<string | null> => {
    const got = await read(s, resource, namespace, ref.name);
    if (!got.ok || !got.value) return 'service account token has been invalidated';
    const deleted = got.value.metadata?.deletionTimestamp;
    if (deleted && Date.parse(deleted) < invalidIfDeletedBefore) return 'service account token has been invalidated';
    if (got.value.metadata?.uid !== ref.uid) return `${label} UID (${got.value.metadata?.uid ?? ''}) does not match service account ${label} ref claim (${ref.uid})`;
    return null;
  };
  if (claim.secret) {
    const why = await alive('secrets', ns, claim.secret, 'secret');
    if (why) return { ok: false, error: why };
  }
  if (claim.pod) {
    const why = await alive('pods', ns, claim.pod, 'pod');
    if (why) return { ok: false, error: why };
    extra['authentication.kubernetes.io/pod-name'] = [claim.pod.name];
    extra['authentication.kubernetes.io/pod-uid'] = [claim.pod.uid];
  }
  if (claim.node) {
    // A pod-bound token only carries its node's name; a node-bound one needs the node.
    if (!claim.pod) {
      const why = await alive('nodes', undefined, claim.node, 'node');
      if (why) return { ok: false, error: why };
    }
    extra['authentication.kubernetes.io/node-name'] = [claim.node.name];
    if (claim.node.uid) extra['authentication.kubernetes.io/node-uid'] = [claim.node.uid];
  }
  return { ok: true, extra };
}
