/**
 * The one apiserver client of every component and bench: typed requests over the bus that
 * answer Results (errors stay data). The object type follows the target, so
 * `client.get(targets.pods(ns, name))` answers a `Result<Pod>`; `unwrap` (base/status.ts)
 * turns a failure into a thrown ApiError where a caller wants exceptions.
 */
import type { DeleteOptions, KubeObject, PatchType } from '../../bus/catalogue/api.ts';
import type { Port, RequestOptions } from '../../bus/bus.ts';
import { APISERVER_ADDRESS } from '../../bus/permissions.ts';
import type { Result } from '../../base/status.ts';
import type { Target } from './targets.ts';

/** A `<Kind>List`: the items and the list's metadata (resourceVersion, continue). */
export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** What a write answers: the object as stored. */
export interface Written<T> {
  object: T;
  /** True when the write created the object. */
  created?: boolean;
  warnings?: string[];
}

/** An object to write: the typed one, or any object shape (e.g. a Binding or a patch target). */
type Writable<T> = T | KubeObject;

/**
 * The one place a reply takes the target's type: the apiserver answers objects of the kind the
 * target names (a `Target<Pod>` is built only for pods), which the bus's schema checks as a
 * KubeObject.
 */
const asTargetKind = <R>(reply: Promise<Result<unknown>>): Promise<Result<R>> => reply as Promise<Result<R>>;

/** A typed object on the wire: every kubernetes-types kind is a KubeObject (it has no index signature to say so). */
const onWire = <T>(object: Writable<T>): KubeObject => object as KubeObject;

export class ApiClient {
  /** `options` apply to every request (e.g. a shorter timeout for a start-up probe). */
  constructor(
    private readonly port: Port,
    private readonly options?: RequestOptions,
  ) {}

  /** `resourceVersion` "0" reads the apiserver's cache as it is (client-go's FromApiserverCache); none reads storage. */
  get<T = KubeObject>(target: Target<T>, resourceVersion?: string): Promise<Result<T>> {
    return asTargetKind(this.port.request(APISERVER_ADDRESS, 'api.get', { target, ...(resourceVersion === undefined ? {} : { resourceVersion }) }, this.options));
  }
  list<T = KubeObject>(target: Target<T>, labelSelector?: string): Promise<Result<ObjectList<T>>> {
    return asTargetKind(this.port.request(APISERVER_ADDRESS, 'api.list', { target, ...(labelSelector ? { options: { labelSelector } } : {}) }, this.options));
  }
  create<T = KubeObject>(target: Target<T>, object: Writable<T>): Promise<Result<Written<T>>> {
    return asTargetKind(this.port.request(APISERVER_ADDRESS, 'api.create', { target, object: onWire(object) }, this.options));
  }
  update<T = KubeObject>(target: Target<T>, object: Writable<T>): Promise<Result<Written<T>>> {
    return asTargetKind(this.port.request(APISERVER_ADDRESS, 'api.update', { target, object: onWire(object) }, this.options));
  }
  /** PUT on the status subresource. */
  updateStatus<T = KubeObject>(target: Target<T>, object: Writable<T>): Promise<Result<Written<T>>> {
    return this.update({ ...target, subresource: 'status' }, object);
  }
  patch<T = KubeObject>(target: Target<T>, patch: unknown, patchType: PatchType = 'merge'): Promise<Result<Written<T>>> {
    return asTargetKind(this.port.request(APISERVER_ADDRESS, 'api.patch', { target, patch, patchType }, this.options));
  }
  /** Deletes every object the target's collection holds (the namespace controller empties a namespace so). */
  deleteCollection<T = KubeObject>(target: Target<T>, options: DeleteOptions): Promise<Result<ObjectList<T>>> {
    return asTargetKind(this.port.request(APISERVER_ADDRESS, 'api.deletecollection', { target, options }, this.options));
  }
  delete<T = KubeObject>(target: Target<T>, options?: DeleteOptions): Promise<Result<Written<T>>> {
    return asTargetKind(this.port.request(APISERVER_ADDRESS, 'api.delete', { target, ...(options ? { options } : {}) }, this.options));
  }
}
