/**
 * The contract between the controller-manager framework and one controller.
 *
 * A controller is one actor at `controller.<name>`. Its `create` is given a
 * {@link ControllerContext} and registers informers whose handlers ONLY enqueue keys
 * (and adjust expectations); the generic reconcile chart (machines/controllers/reconcile.ts)
 * then calls `sync(key)` one key at a time, after every informer has listed once.
 *
 * `sync(key)` is level-triggered: it reads the informer caches (never a watch event), writes
 * only through the apiserver (`ctx.api`), and is idempotent. An object missing from the
 * cache, or a NotFound answer from the apiserver, means "done" — resolve. Throw (or reject)
 * to be retried with per-key exponential backoff (5 ms doubling to 1000 s); throw or return a
 * TerminalError (actors/client) for a failure retrying cannot fix (logged, not retried); return
 * `{ requeueAfter }` to look again later (e.g. when minReadySeconds will have passed).
 *
 * On an actor restart `create` runs again with a fresh context: its handlers are subscribed
 * again and get the shared cache as adds, so every key is synced again; nothing is carried
 * over (expectations included).
 *
 * Adding a controller: a file exporting a {@link ControllerDefinition}, and one line in
 * registry.ts.
 */
import type { KubeObject } from '../../bus/catalogue/api.ts';
import type { ActorContext } from '../actor-def.ts';
import type { EventRecorder } from '../events.ts';
import type { Indexable } from '../informers/indexer.ts';
import type { InformerSpec, InformerView, ObjectHandlers } from '../informers/shared.ts';
import type { SyncResult } from '../../machines/controllers/reconcile.ts';
import type { TerminalError } from '../../machines/controllers/terminal.ts';
import type { ApiClient } from '../client/index.ts';

export type { SyncResult };

export type { InformerView, ObjectHandlers };

/** A shared informer (the process's factory) and this controller's handlers on it. */
export interface InformerRequest<T = KubeObject> extends InformerSpec<T> {
  handlers?: ObjectHandlers<NoInfer<T>>;
}

export interface ControllerContext {
  /** The controller's name ('replicaset'). */
  readonly name: string;
  /** Port, clock, seeded random / ids, logger of this actor incarnation. */
  readonly actor: ActorContext;
  /** Writes through the apiserver, answering Results (errors as data). */
  readonly api: ApiClient;
  /** Events with source.component = the definition's `component`. */
  readonly events: EventRecorder;
  /** This controller's own options, from `startControllers({ options: { <name>: … } })`. */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * The process's shared informer for the request's resource, namespace and selectors
   * (actors/informers/), typed by the target (`targets.pods()` → Pod); the handlers are
   * subscribed on actor start and unsubscribed when the incarnation ends.
   */
  informer<T extends Indexable>(req: InformerRequest<T>): InformerView<T>;
  /** Queues a key for sync (deduplicated). */
  enqueue(key: string): void;
  /** Queues a key after `ms` on the actor's clock. */
  enqueueAfter(key: string, ms: number): void;
}

export interface Controller {
  /** Reconciles one key; see the module comment for the rules. A TerminalError (thrown or returned) is logged and not retried. */
  sync(key: string): Promise<SyncResult | TerminalError | void>;
  /** Releases anything beyond the informers (which the framework stops). */
  stop?(): void;
}

export interface ControllerDefinition {
  /** Short name, also the address suffix and the `--controllers` name ('replicaset'). */
  readonly name: string;
  /** Other names `--controllers` accepts (kube-controller-manager's 'replicaset-controller'). */
  readonly aliases?: readonly string[];
  /** Events' source.component ('replicaset-controller'). */
  readonly component: string;
  /** Whether '*' selects it (kube-controller-manager keeps a few off by default). */
  readonly enabledByDefault: boolean;
  create(ctx: ControllerContext): Controller;
  /**
   * The options a replay builds the controller with, from the recorded ones: where a
   * controller has effects on the host beyond the apiserver (the local-path provisioner's
   * directories), a replay must not repeat them. Default: the recorded options.
   */
  replayOptions?(recorded: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>>;
  /**
   * Multiplies the controller-manager's client limits for this controller, where
   * kube-controller-manager does so (the namespace controller's QPS x20, burst x100).
   */
  readonly clientScale?: { readonly qps: number; readonly burst: number };
}

export const controllerAddress = (name: string): string => `controller.${name}`;
