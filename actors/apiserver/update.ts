/**
 * api.update (PUT): replaces the object, or only its status on /status, or only
 * spec.finalizers on a namespace's /finalize. The request's metadata.resourceVersion, when
 * set, is the optimistic-concurrency precondition. A missing object is a 404 unless the
 * kind allows create-on-update (leases, events, endpoints).
 */
import type { PayloadShape, WriteReply } from './types.ts';
import { badRequest, fail, ok, type Result } from '../../base/status.ts';
import type { Call, ServerContext } from './context.ts';
import { create, defaultManager, placeObject } from './create.ts';
import type { ResourceInfo } from './resources.ts';
import { updateScale } from './scale.ts';
import { objectStorageKey } from './storage-keys.ts';
import { guaranteedUpdate } from './write.ts';

type UpdatePayload = PayloadShape<'api.update'>;

export async function update(s: ServerContext, res: ResourceInfo, call: Call<UpdatePayload>): Promise<Result<WriteReply>> {
  const p = call.payload;
  const name = p.target.name;
  if (!name) return fail(badRequest('the name of the object is required for an update'));
  if (p.target.subresource === 'scale') return updateScale(s, res, call);
  const placed = placeObject(res, p.target.namespace, p.object);
  if (!placed.ok) return placed;
  const obj = placed.value;
  if (obj.metadata?.name && obj.metadata.name !== name) {
    return fail(badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`));
  }
  const named = { ...obj, metadata: { ...obj.metadata, name } };
  const namespace = res.namespaced ? named.metadata.namespace : undefined;
  const fieldManager = p.fieldManager ?? defaultManager(call.from);
  return guaranteedUpdate(s, res, call, {
    verb: 'update',
    key: objectStorageKey(res.gr, namespace, name),
    name,
    namespace,
    subresource: p.target.subresource,
    dryRun: p.dryRun,
    fieldManager,
    fieldValidation: p.fieldValidation,
    mutate: () => ok({ obj: named }),
    createMissing:
      res.allowCreateOnUpdate && !p.target.subresource
        ? () => {
            const { resourceVersion: _rv, ...metadata } = named.metadata;
            return create(s, res, { ...call, payload: { ...p, object: { ...named, metadata } } });
          }
        : undefined,
  });
}
