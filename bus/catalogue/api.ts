import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { message, request } from './define.ts';
import type { KubeObject } from '../../base/object.ts';

/**
 * The apiserver's protocol on the bus: the Kubernetes REST verbs as typed messages. Every
 * component (scheduler, controllers, kubelets) and the HTTP front reach cluster state only
 * through these; the apiserver alone talks to the kv actor.
 *
 * Objects are checked loosely here (an object with apiVersion/kind/metadata); the apiserver
 * validates them with Kubernetes' rules and answers a 422 Invalid Status.
 */

export type { KubeObject };

const obj = <T>(schema: TSchema = Type.Object({}, { additionalProperties: true })) => Type.Unsafe<T>(schema);
export const KubeObjectSchema = obj<KubeObject>();

/** Which resource a request is about: Kubernetes' group/version/resource plus namespace, name and subresource. */
export const ApiTarget = Type.Object({
  /** '' for the core group. */
  group: Type.String(),
  version: Type.String(),
  /** Plural resource name: 'pods', 'deployments'. */
  resource: Type.String(),
  namespace: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  /** 'status', 'scale', 'binding', 'eviction', 'log'. */
  subresource: Type.Optional(Type.String()),
});
export type ApiTarget = Static<typeof ApiTarget>;

/**
 * The user a request acts for. Bus components are identified by their bus address; only
 * the HTTP front (and other trusted edges) may state a user, and the apiserver ignores
 * this field from anyone else.
 */
export const UserInfo = Type.Object({
  username: Type.String(),
  /** The user's unique id where its authenticator knows one (a ServiceAccount's uid, Impersonate-Uid). */
  uid: Type.Optional(Type.String()),
  groups: Type.Array(Type.String()),
  /** Extra attributes (a bound token's authentication.kubernetes.io/pod-name, Impersonate-Extra-*); authorizers see them, RBAC matches none. */
  extra: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
});
export type UserInfo = Static<typeof UserInfo>;

const common = {
  target: ApiTarget,
  user: Type.Optional(UserInfo),
  /** dryRun=All: validate and admit, store nothing. */
  dryRun: Type.Optional(Type.Boolean()),
  fieldManager: Type.Optional(Type.String()),
  fieldValidation: Type.Optional(Type.Union([Type.Literal('Strict'), Type.Literal('Warn'), Type.Literal('Ignore')])),
};

export const ListOptions = Type.Object({
  labelSelector: Type.Optional(Type.String()),
  fieldSelector: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Number()),
  continue: Type.Optional(Type.String()),
  resourceVersion: Type.Optional(Type.String()),
  resourceVersionMatch: Type.Optional(Type.Union([Type.Literal('NotOlderThan'), Type.Literal('Exact')])),
});
export type ListOptions = Static<typeof ListOptions>;

export const DeleteOptions = Type.Object({
  gracePeriodSeconds: Type.Optional(Type.Number()),
  propagationPolicy: Type.Optional(Type.Union([Type.Literal('Orphan'), Type.Literal('Background'), Type.Literal('Foreground')])),
  preconditions: Type.Optional(Type.Object({ uid: Type.Optional(Type.String()), resourceVersion: Type.Optional(Type.String()) })),
  dryRun: Type.Optional(Type.Array(Type.String())),
}, { additionalProperties: true });
export type DeleteOptions = Static<typeof DeleteOptions>;

export const PatchType = Type.Union([Type.Literal('merge'), Type.Literal('strategic'), Type.Literal('json'), Type.Literal('apply')]);
export type PatchType = Static<typeof PatchType>;

/** A write's answer: the stored (or would-be-stored, under dryRun) object and any warnings. */
export const WriteReply = Type.Object({
  object: KubeObjectSchema,
  /** True when the write created the object (POST, or an apply/patch that created it). */
  created: Type.Optional(Type.Boolean()),
  warnings: Type.Optional(Type.Array(Type.String())),
});
export type WriteReply = Static<typeof WriteReply>;

export const WatchEventType = Type.Union([
  Type.Literal('ADDED'),
  Type.Literal('MODIFIED'),
  Type.Literal('DELETED'),
  Type.Literal('BOOKMARK'),
  Type.Literal('ERROR'),
]);
export const WatchEvent = Type.Object({ type: WatchEventType, object: KubeObjectSchema });
export type WatchEvent = Static<typeof WatchEvent>;

export const apiMessages = {
  'api.get': request(Type.Object({ ...common, resourceVersion: Type.Optional(Type.String()) }), KubeObjectSchema),
  /** Answers a `<Kind>List` with metadata.resourceVersion (and continue / remainingItemCount when paged). */
  'api.list': request(Type.Object({ ...common, options: Type.Optional(ListOptions) }), KubeObjectSchema),
  'api.create': request(Type.Object({ ...common, object: KubeObjectSchema }), WriteReply),
  'api.update': request(Type.Object({ ...common, object: KubeObjectSchema }), WriteReply),
  'api.patch': request(
    Type.Object({ ...common, patchType: PatchType, patch: Type.Unknown(), force: Type.Optional(Type.Boolean()) }),
    WriteReply,
  ),
  /** Answers the object as it is after the call: marked for deletion (finalizers remain) or as it was when removed. */
  'api.delete': request(Type.Object({ ...common, options: Type.Optional(DeleteOptions) }), WriteReply),
  'api.deletecollection': request(
    Type.Object({ ...common, options: Type.Optional(DeleteOptions), listOptions: Type.Optional(ListOptions) }),
    KubeObjectSchema,
  ),
  /**
   * Starts a watch whose events arrive at the sender's address as `api.watch-events`.
   * Without resourceVersion (or with sendInitialEvents) the current objects come first as
   * ADDED; a too-old resourceVersion is answered with a 410 Expired Status.
   */
  'api.watch': request(
    Type.Object({
      ...common,
      id: Type.String(),
      options: Type.Optional(ListOptions),
      allowWatchBookmarks: Type.Optional(Type.Boolean()),
      sendInitialEvents: Type.Optional(Type.Boolean()),
    }),
    /** `progressNotifyMs`: the apiserver sends a BOOKMARK at least this often to a watch that allows bookmarks (absent: no heartbeat). */
    Type.Object({ id: Type.String(), resourceVersion: Type.String(), progressNotifyMs: Type.Optional(Type.Number()) }),
  ),
  'api.unwatch': message(Type.Object({ id: Type.String() })),
  /**
   * A batch of a watch's events. `seq` numbers the batches of one watch from 1: the bus
   * delivers at most once, so a number skipped means a batch was lost and the watcher must
   * re-list (bookmarks are batches too, so a lost last batch shows at the next bookmark).
   */
  'api.watch-events': message(Type.Object({ id: Type.String(), events: Type.Array(WatchEvent), seq: Type.Optional(Type.Number()) })),
  /**
   * Converts objects of one custom resource to `apiVersion` as its CRD's conversion says (the
   * front's seam for a kind with `conversion: Webhook`): the apiserver calls the webhook and
   * checks its ConversionReview answer. Answers the objects in order, or a 500 Status.
   */
  'api.convert': request(
    Type.Object({ group: Type.String(), resource: Type.String(), apiVersion: Type.String(), objects: Type.Array(KubeObjectSchema) }),
    Type.Object({ objects: Type.Array(KubeObjectSchema) }),
  ),
  /** The apiserver ended a watch (410 after compaction, shutdown); the watcher re-lists. */
  'api.watch-ended': message(Type.Object({ id: Type.String(), status: KubeObjectSchema })),
};
