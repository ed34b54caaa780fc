/**
 * The garbage collector's view of the cluster (graph_builder.go's uidToNode): every
 * monitored object by uid, and for every owner uid the uids of the objects whose
 * ownerReferences name it. Owners are keyed by uid, so an owner never observed (deleted
 * before we looked, or of a kind nobody watches) still has its dependents listed.
 */
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { allKinds, type KindInfo } from '../../../api/kinds.ts';
import { keyOf } from '../../informer.ts';

/** Resources the collector watches: every kind one can list, watch and delete, except events (as Kubernetes ignores them). */
export function monitoredKinds(): KindInfo[] {
  return allKinds().filter((k) => k.verbs.includes('watch') && k.verbs.includes('delete') && k.resource !== 'events');
}

export interface GraphNode {
  readonly uid: string;
  readonly kind: KindInfo;
  /** The informer cache key ("ns/name" or "name"). */
  readonly key: string;
  /** Owner uids this object's ownerReferences name. */
  owners: readonly string[];
}

export class OwnerGraph {
  readonly #nodes = new Map<string, GraphNode>();
  readonly #dependents = new Map<string, Set<string>>();

  get(uid: string): GraphNode | undefined {
    return this.#nodes.get(uid);
  }

  /** Uids of the objects that name `ownerUid` as an owner. */
  dependents(ownerUid: string): string[] {
    return [...(this.#dependents.get(ownerUid) ?? [])];
  }

  /** Records the current state of an object (add or update). */
  observe(kind: KindInfo, obj: KubeObject): GraphNode | undefined {
    const uid = obj.metadata?.uid;
    if (!uid) return undefined;
    const owners = [...new Set((obj.metadata?.ownerReferences ?? []).map((r) => r.uid))];
    const prev = this.#nodes.get(uid);
    if (prev) this.#unlink(prev);
    const node: GraphNode = { uid, kind, key: keyOf(obj), owners };
    this.#nodes.set(uid, node);
    for (const o of owners) {
      let set = this.#dependents.get(o);
      if (!set) this.#dependents.set(o, (set = new Set()));
      set.add(uid);
    }
    return node;
  }

  /** Forgets a deleted object; its dependents stay listed under its uid until they change. */
  forget(obj: KubeObject): void {
    const uid = obj.metadata?.uid;
    const node = uid ? this.#nodes.get(uid) : undefined;
    if (!node) return;
    this.#unlink(node);
    this.#nodes.delete(node.uid);
  }

  #unlink(node: GraphNode): void {
    for (const o of node.owners) {
      const set = this.#dependents.get(o);
      set?.delete(node.uid);
      if (set && set.size === 0) this.#dependents.delete(o);
    }
  }
}
