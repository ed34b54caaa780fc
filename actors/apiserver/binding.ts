/**
 * pods/binding: the scheduler's way to assign a pod to a node. Sets spec.nodeName once
 * (and the PodScheduled condition); a pod already assigned is a 409 Conflict, as the
 * apiserver's BindingREST answers it. The reply is a Success Status, as Kubernetes returns.
 */
import type { KubeObject, PayloadShape, WriteReply } from './types.ts';
import { badRequest, conflict, fail, invalid, ok, type Result } from '../../base/status.ts';
import { rfc3339 } from '../../api/time.ts';
import { copyTop, type JsonObject } from '../../api/json.ts';
import type { Call, ServerContext } from './context.ts';
import { defaultManager } from './create.ts';
import type { ResourceInfo } from './resources.ts';
import { objectStorageKey } from './storage-keys.ts';
import { guaranteedUpdate } from './write.ts';

interface Condition {
  type: string;
  status: string;
  [k: string]: unknown;
}

export async function bind(s: ServerContext, res: ResourceInfo, call: Call<PayloadShape<'api.create'>>): Promise<Result<WriteReply>> {
  const p = call.payload;
  const binding = p.object as KubeObject & { target?: { kind?: string; name?: string } };
  const name = binding.metadata?.name ?? p.target.name;
  if (!name || (p.target.name && name !== p.target.name)) return fail(badRequest('name in URL does not match name in Binding object'));
  const node = binding.target?.name;
  if (!node) {
    return fail(invalid('Binding', name, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]));
  }
  if (binding.target?.kind && binding.target.kind !== 'Node') {
    return fail(invalid('Binding', name, [{ reason: 'FieldValueNotSupported', field: 'target.kind', message: `Unsupported value: "${binding.target.kind}": supported values: "Node"` }]));
  }
  const namespace = binding.metadata?.namespace ?? p.target.namespace;
  const now = rfc3339(s.clock.now());
  const r = await guaranteedUpdate(s, res, call, {
    verb: 'create',
    key: objectStorageKey('pods', namespace, name),
    name,
    namespace,
    subresource: 'binding',
    skipValidation: true,
    // Annotations come from the request: they are decoded with the pod.
    decoded: !binding.metadata?.annotations,
    dryRun: p.dryRun,
    fieldManager: p.fieldManager ?? defaultManager(call.from),
    mutate: (cur) => {
      const pod = cur.obj as KubeObject & { spec?: { nodeName?: string }; status?: { conditions?: Condition[] } };
      if (pod.metadata?.deletionTimestamp) return fail(conflict('pods/binding', name, `pod ${name} is being deleted, cannot be assigned to a host`));
      if (pod.spec?.nodeName) return fail(conflict('pods/binding', name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`));
      if (binding.metadata?.uid && binding.metadata.uid !== pod.metadata?.uid) {
        return fail(conflict('pods/binding', name, `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${pod.metadata?.uid ?? ''}`));
      }
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
      const annotations = { ...pod.metadata?.annotations, ...binding.metadata?.annotations };
      // Copies by key, not by spread: at a spread site that sees many shapes Node 20's V8 gives each copy a hidden
      // class of its own (about 500 bytes per pod for spec and status, kept in the store and the watch cache).
      const spec = copyTop((pod.spec ?? {}) as JsonObject);
      spec.nodeName = node;
      const status = copyTop((pod.status ?? {}) as JsonObject);
      status.conditions = conditions;
      // BindingREST writes storage directly (GuaranteedUpdate with no field manager): the pod's managedFields get no entry.
      return ok({
        applied: true,
        obj: {
          ...pod,
          metadata: { ...pod.metadata, ...(Object.keys(annotations).length ? { annotations } : {}) },
          spec,
          status,
        },
      });
    },
  });
  if (!r.ok) return r;
  return ok({ object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }, created: true });
}
