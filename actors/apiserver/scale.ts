/**
 * The /scale subresource (autoscaling/v1 Scale) of deployments, replicasets,
 * statefulsets and custom resources whose CRD enables it: a view of spec.replicas, status.replicas and the selector as a string.
 * Writing it changes only the parent's spec.replicas (so generation moves, as for any spec
 * change); its metadata.resourceVersion is the parent's and works as a precondition.
 */
import type { KubeObject, PayloadShape, WriteReply } from './types.ts';
import { badRequest, fail, invalid, ok, type Result } from '../../base/status.ts';
import { bodyDecodeError, findTypeErrors } from '../../api/validation/types.ts';
import { formatLabelSelector, labelSelectorToSelector } from '../../api/selectors/labels.ts';
import type { Call, ServerContext } from './context.ts';
import { defaultManager } from './create.ts';
import type { ResourceInfo } from './resources.ts';
import { objectStorageKey } from './storage-keys.ts';
import { guaranteedUpdate, type Mutation } from './write.ts';
import type { Current } from './store.ts';
import { isObject } from '../../api/json.ts';
import type { ScalePaths } from '../../api/kinds/info.ts';
import { readJsonPath, writeJsonPath } from '../../api/crd/jsonpath.ts';

/** The Scale's root struct in the field table: its body is decoded as an autoscaling/v1 Scale. */
const SCALE = { schemaType: 'autoscaling/v1.Scale' };

type Spec = { replicas?: number; selector?: { matchLabels?: Record<string, string>; matchExpressions?: never[] } };

/**
 * The Scale view of a scalable object. A custom resource's CRD names where the counts and
 * the selector are (`paths`); its labelSelectorPath holds the selector already as a string.
 */
export function scaleOf(obj: KubeObject, paths?: ScalePaths): KubeObject {
  const spec = (obj.spec ?? {}) as Spec;
  const st = (obj.status ?? {}) as { replicas?: number };
  const m = obj.metadata ?? {};
  const metadata: KubeObject['metadata'] = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp };
  const count = (v: unknown): number => (typeof v === 'number' ? v : 0);
  if (paths) {
    const selector = paths.labelSelectorPath ? readJsonPath(obj, paths.labelSelectorPath) : undefined;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata,
      spec: { replicas: count(readJsonPath(obj, paths.specReplicasPath)) },
      status: { replicas: count(readJsonPath(obj, paths.statusReplicasPath)), selector: typeof selector === 'string' ? selector : '' },
    };
  }
  // A ReplicationController's selector is a plain label map.
  const sel = labelSelectorToSelector((obj.kind === 'ReplicationController' ? { matchLabels: spec.selector } : spec.selector) as never);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: st.replicas ?? 0, selector: sel.ok && sel.value ? formatLabelSelector(sel.value) : '' },
  };
}

/** The parent with the Scale's replicas (and its resourceVersion as the precondition); 422 on a bad count. */
export function applyScale(res: ResourceInfo, cur: KubeObject, scale: KubeObject, paths?: ScalePaths): Mutation {
  const replicas = isObject(scale.spec) ? scale.spec.replicas : undefined;
  const name = cur.metadata?.name ?? '';
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
    return fail(invalid('Scale', name, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${String(replicas)}: must be greater than or equal to 0` }], 'autoscaling'));
  }
  const rv = scale.metadata?.resourceVersion || cur.metadata?.resourceVersion;
  const withRv = { ...cur, metadata: { ...cur.metadata, resourceVersion: rv } };
  if (paths) return ok({ obj: writeJsonPath(withRv, paths.specReplicasPath, replicas ?? 0) });
  return ok({ obj: { ...withRv, spec: { ...(cur.spec as object), replicas: replicas ?? 0 } } });
}

/** Shared by update and patch of /scale: `toScale` computes the new Scale from the current one. */
export async function writeScale(
  s: ServerContext,
  res: ResourceInfo,
  call: Call<{ target: PayloadShape<'api.update'>['target']; dryRun?: boolean; fieldManager?: string }>,
  toScale: (current: KubeObject) => Result<KubeObject>,
): Promise<Result<WriteReply>> {
  const t = call.payload.target;
  if (!t.name) return fail(badRequest('the name of the object is required'));
  const paths = s.model.kind(res).scalePaths;
  const r = await guaranteedUpdate(s, res, call, {
    verb: 'update',
    key: objectStorageKey(res.gr, res.namespaced ? t.namespace : undefined, t.name),
    name: t.name,
    namespace: t.namespace,
    subresource: 'scale',
    dryRun: call.payload.dryRun,
    fieldManager: call.payload.fieldManager ?? defaultManager(call.from),
    mutate: (cur: Current) => {
      const next = toScale(scaleOf(cur.obj, paths));
      if (!next.ok) return next;
      const errs = findTypeErrors(SCALE, next.value);
      return errs.length ? fail(bodyDecodeError({ kind: 'Scale', version: 'v1' }, errs)) : applyScale(res, cur.obj, next.value, paths);
    },
  });
  return r.ok ? ok({ ...r.value, object: scaleOf(r.value.object, paths) }) : r;
}

export function updateScale(s: ServerContext, res: ResourceInfo, call: Call<PayloadShape<'api.update'>>): Promise<Result<WriteReply>> {
  const body = call.payload.object;
  if (body.metadata?.name && body.metadata.name !== call.payload.target.name) {
    return Promise.resolve(fail(badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${call.payload.target.name})`)));
  }
  return writeScale(s, res, call, () => ok(body));
}
