/**
 * The kubelet's reads of ConfigMaps and Secrets (kubelet's watch-based manager): one
 * list+watch per referenced object (`fieldSelector=metadata.name=<name>` in its namespace,
 * which the Node authorizer allows for objects a pod bound to the node references), kept
 * while a pod on the node references it. Reads come from the watch's cache; a change is
 * reported so the volume manager can refresh. ServiceAccount tokens come from TokenRequest.
 * Everything goes through the typed client as the node's identity.
 */
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import type { Port } from '../../../bus/bus.ts';
import type { Envelope } from '../../../base/envelope.ts';
import type { Clock } from '../../../base/clock.ts';
import { Informer } from '../../informer.ts';
import { ApiClient, targets } from '../../client/index.ts';
import type { Fetched } from '../../../machines/kubelet/volumes/payload.ts';

export type ObjectResource = 'configmaps' | 'secrets';
type Obj<R extends ObjectResource> = R extends 'configmaps' ? ConfigMap : Secret;

interface Watched {
  informer: Informer;
  started: Promise<void>;
  users: Set<string>;
}

/** The token a TokenRequest answered. */
export interface IssuedToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

const SINGULAR: Record<ObjectResource, string> = { configmaps: 'configmap', secrets: 'secret' };

export class ObjectCache {
  readonly #watched = new Map<string, Watched>();
  readonly #api: ApiClient;

  constructor(
    private readonly port: Port,
    private readonly clock: Clock,
    /** Called with `resource/namespace/name` when a watched object is added, changed or deleted. */
    private readonly onChange: (key: string) => void,
  ) {
    this.#api = new ApiClient(port);
  }

  /** Keeps `key` watched for `user` (a pod uid) until released. */
  #retain(key: string, resource: ObjectResource, namespace: string, name: string, user: string): Watched {
    let w = this.#watched.get(key);
    if (!w) {
      const changed = () => this.onChange(key);
      const informer = new Informer({
        port: this.port,
        clock: this.clock,
        target: targets[resource](namespace),
        fieldSelector: `metadata.name=${name}`,
        handlers: { add: changed, update: changed, delete: changed },
        name: `${SINGULAR[resource]}:${namespace}/${name}:`,
      });
      w = { informer, started: informer.start(), users: new Set() };
      this.#watched.set(key, w);
    }
    w.users.add(user);
    return w;
  }

  /**
   * The object as the watch has it: the object, null when it does not exist, or kubelet's
   * error when the first list has not succeeded (e.g. the node may not read it).
   */
  async get<R extends ObjectResource>(resource: R, namespace: string, name: string, user: string): Promise<Fetched<Obj<R>>> {
    const key = `${resource}/${namespace}/${name}`;
    const w = this.#retain(key, resource, namespace, name, user);
    await w.started;
    if (!w.informer.hasSynced()) return { error: `failed to sync ${SINGULAR[resource]} cache: timed out waiting for the condition` };
    return (w.informer.get(`${namespace}/${name}`) as Obj<R> | undefined) ?? null;
  }

  /**
   * The object as the watch has it, without waiting: undefined while the watch's first list
   * has not answered (started now when it was not watched), else what `get` would give.
   */
  peek<R extends ObjectResource>(resource: R, namespace: string, name: string, user: string): Fetched<Obj<R>> | undefined {
    const w = this.#retain(`${resource}/${namespace}/${name}`, resource, namespace, name, user);
    if (!w.informer.hasSynced()) return undefined;
    return (w.informer.get(`${namespace}/${name}`) as Obj<R> | undefined) ?? null;
  }

  /** Stops the watches only `user` kept. */
  release(user: string): void {
    for (const [key, w] of this.#watched) {
      if (!w.users.delete(user) || w.users.size > 0) continue;
      w.informer.stop();
      this.#watched.delete(key);
    }
  }

  handle(env: Envelope): boolean {
    for (const w of this.#watched.values()) if (w.informer.handle(env)) return true;
    return false;
  }

  stop(): void {
    for (const w of this.#watched.values()) w.informer.stop();
    this.#watched.clear();
  }

  /** TokenRequest for the pod's service account, bound to the pod. */
  async requestToken(namespace: string, serviceAccount: string, pod: { name: string; uid: string }, audience: string | undefined, expirationSeconds: number): Promise<IssuedToken | { error: string }> {
    const body = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        ...(audience ? { audiences: [audience] } : {}),
        expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid },
      },
    };
    const r = await this.#api.create(targets.serviceaccounts(namespace, serviceAccount, 'token'), body);
    if (!r.ok) return { error: r.status.message };
    const status = (r.value.object as { status?: { token?: string; expirationTimestamp?: string } }).status;
    return { token: status?.token ?? '', expiresAt: Date.parse(status?.expirationTimestamp ?? '') || this.clock.now() + expirationSeconds * 1000 };
  }
}
