/**
 * The revision-history writes the StatefulSet and DaemonSet controllers share
 * (pkg/controller/history's realHistory): the owner's current template has a
 * ControllerRevision, numbered above every other (a template rolled back to takes the next
 * number again, as upstream's UpdateControllerRevision does), and revisions beyond
 * revisionHistoryLimit that no pod uses are deleted.
 */
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { newRevision, nextRevision, revisionsToPrune, type HistoryOwner } from '../../machines/controllers/history.ts';
import { isAlreadyExists, isNotFound, targets } from '../client/index.ts';
import { OWNER_UID_INDEX } from '../informers/indexer.ts';
import type { ControllerContext, InformerView } from './framework.ts';

export interface HistoryRequest {
  owner: HistoryOwner;
  ownerApiVersion: string;
  ownerKind: string;
  /** The hash of the owner's template: the revision is `<owner>-<hash>`. */
  hash: string;
  /** Revision names pods or the status still use: never pruned. */
  live: ReadonlySet<string>;
}

/** The ControllerRevision informer a controller reads its owners' history from. */
export function revisionInformer(cc: ControllerContext): InformerView<ControllerRevision> {
  return cc.informer({ target: targets.controllerrevisions() });
}

/** Brings the owner's history up to date with its template; returns the revision number the template has. */
export async function syncHistory(cc: ControllerContext, revisions: InformerView<ControllerRevision>, req: HistoryRequest): Promise<number> {
  const m = req.owner.metadata ?? {};
  const namespace = m.namespace ?? '';
  const mine = revisions.byIndex(OWNER_UID_INDEX, m.uid ?? '').filter((r) => r.metadata?.ownerReferences?.some((o) => o.controller && o.uid === m.uid));
  const name = `${m.name}-${req.hash}`;
  const existing = mine.find((r) => r.metadata?.name === name);
  const next = nextRevision(mine);
  let number = existing?.revision ?? next;
  if (!existing) {
    const r = await cc.api.create(targets.controllerrevisions(namespace), newRevision(req.owner, req.ownerApiVersion, req.ownerKind, req.hash, next));
    if (!r.ok && !isAlreadyExists(r.status)) throw new Error(`creating ControllerRevision ${name}: ${r.status.message}`);
  } else if ((existing.revision ?? 0) < next - 1) {
    number = next;
    const r = await cc.api.update(targets.controllerrevisions(namespace, name), { ...existing, revision: next });
    if (!r.ok && !isNotFound(r.status)) throw new Error(`updating ControllerRevision ${name}: ${r.status.message}`);
  }
  const live = new Set([...req.live, name]);
  for (const old of revisionsToPrune(mine, live, req.owner.spec?.revisionHistoryLimit ?? 10)) {
    const r = await cc.api.delete(targets.controllerrevisions(namespace, old.metadata?.name));
    if (!r.ok && !isNotFound(r.status)) cc.actor.log.warn('could not prune a ControllerRevision', { name: old.metadata?.name, status: r.status.message });
  }
  return number;
}
