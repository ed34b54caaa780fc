/**
 * The state and effects every verb works with, built once per apiserver incarnation
 * (actors/apiserver/server.ts) and passed to the per-verb functions. Nothing here reads
 * wall time or chance: the clock and the id/random sources are the actor's.
 */
import type { KubeObject, UserInfo } from '../../bus/catalogue/api.ts';
import type { Port } from '../../bus/bus.ts';
import type { StatusCause } from '../../base/status.ts';
import type { FieldTypeError } from '../../api/validation/types.ts';
import type { KindInfo } from '../../api/kinds.ts';
import type { Clock } from '../../base/clock.ts';
import type { Logger } from '../actor-def.ts';
import type { ClusterIPAllocator, NodePortAllocator } from './allocators.ts';
import type { KvClient } from './kv-client.ts';
import type { ValueCodec } from './encryption/storage.ts';
import type { ResourceInfo, ResourceLookup } from './resources.ts';
import type { SigningKeySource } from './signing-key.ts';
import type { WatchCache } from './watch-cache.ts';
import type { WatcherSet } from './watchers.ts';
import type { BusAudit } from './audit/bus.ts';
import type { FlowControl } from './flowcontrol/controller.ts';

/** The object model's rules the apiserver applies (each kind's descriptor in api/kinds), behind one seam. */
export interface ObjectModel {
  /**
   * The object with Kubernetes' defaults applied (a new object; the input is not changed).
   * `stored`: the version an update replaces, whose parts the object shares are defaulted already.
   */
  default(res: ResourceInfo, obj: KubeObject, stored?: KubeObject): KubeObject;
  /** Validation causes for a create (`old` absent) or an update; empty when valid. */
  validate(res: ResourceInfo, obj: KubeObject, old?: KubeObject): StatusCause[];
  /** Paths of fields the kind does not define ("spec.foo"), for fieldValidation. */
  /** `stored`: the version an update replaces (what the object shares with it was pruned when written). */
  unknownFields(res: ResourceInfo, obj: KubeObject, stored?: KubeObject): string[];
  /** The object with unknown fields removed (fieldValidation Ignore/Warn: dropped as decoding would). */
  pruneUnknown(res: ResourceInfo, obj: KubeObject): KubeObject;
  /**
   * Decoding into the kind's Go struct: the values that would not decode (wrong JSON type,
   * range, format) in document order, or the object with its nulls as decoding leaves them.
   * `stored`: the version an update replaces; what the object shares with it is not walked.
   */
  decode(res: ResourceInfo, obj: KubeObject, stored?: KubeObject): { errors: FieldTypeError[]; value: KubeObject };
  /** The descriptor behind a served resource: its strategy hooks and strategic-merge metadata. */
  kind(res: ResourceInfo): KindInfo;
}

import type { DefaultTolerationSeconds } from '../../api/defaults/pod.ts';
import type { AuthorizationMode } from './authorizer.ts';

export interface ServerContext {
  readonly port: Port;
  readonly kv: KvClient;
  /** What goes into and comes out of the kv: values of resources encrypted at rest are ciphertext there (encryption/). */
  readonly codec: ValueCodec;
  readonly cache: WatchCache;
  readonly watchers: WatcherSet;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly random: () => number;
  readonly log: Logger;
  readonly lookup: ResourceLookup;
  readonly model: ObjectModel;
  readonly clusterIPs: ClusterIPAllocator;
  readonly nodePorts: NodePortAllocator;
  /** How long a read waits for the cache to reach a requested or the store's revision. */
  readonly cacheWaitMs: number;
  /** The period of progress heartbeats to idle watches that allow bookmarks (server.ts); absent or 0: none. */
  readonly progressNotifyMs?: number;
  /** DefaultTolerationSeconds admission: seconds of the tolerations added to new pods. */
  readonly tolerationSeconds: DefaultTolerationSeconds;
  /** Admission plugins turned off (`disableAdmissionPlugins`), e.g. ServiceAccount where no controller makes accounts. */
  readonly admissionDisabled: ReadonlySet<string>;
  /** The ServiceAccount token signing key (signing-key.ts): a data-dir file or process memory, never the kv. */
  readonly signingKey: SigningKeySource;
  /** kube-apiserver's --authorization-mode: the authorizer chain after system:masters (authorizer.ts). */
  readonly authorizationModes: readonly AuthorizationMode[];
  /** Reports that the cache stayed behind storage for a whole wait: its kv watch may have lost events. */
  readonly cacheStale: () => void;
  /** Logs the bus requests of components (--audit-policy-file); absent: no audit. */
  readonly audit?: BusAudit;
  /** API Priority and Fairness (flowcontrol/controller.ts); absent: every request runs at once. */
  readonly flow?: FlowControl;
}

/** One request as the verbs see it: who asked (address and effective user) and the payload. */
export interface Call<P> {
  from: string;
  user: UserInfo;
  payload: P;
}
