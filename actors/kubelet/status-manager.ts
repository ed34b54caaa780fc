/**
 * The kubelet's pod status manager (pkg/kubelet/status): pod actors report every status
 * change; this keeps the latest per pod and writes it to pods/status, coalesced — at most
 * one write in flight per pod, several reports in a row become one write, and a status
 * equal to the last one written is not sent at all.
 *
 * Writes are merge patches of `status` that null the top-level fields the new status no
 * longer has (a merge patch would keep them otherwise), carrying the pod's uid so a
 * recreated pod of the same name is not written over (409 instead).
 *
 * A write the apiserver asked to have retried (429 under overload, a 5xx with Retry-After) is
 * written again as client-go's rest client would send it again — after the Retry-After or an
 * exponential back-off, whichever is longer, with jitter, up to its ten retries (backoff.ts) —
 * but with the pod's latest status, not the refused one. Any other failure that may pass (a
 * timeout), or one still refused after those retries, is written again on the status manager's
 * sync period (10 s, upstream's syncPeriod). A new report is written at once either way: a
 * pod's last status is never left unsent because the apiserver was busy when it came.
 */
import type { PodStatus } from 'kubernetes-types/core/v1.js';
import type { Port } from '../../bus/bus.ts';
import type { Logger } from '../actor-def.ts';
import type { Clock, TimerId } from '../../base/clock.ts';
import { ApiClient, isConflictOrExists, isNotFound, targets } from '../client/index.ts';
import { retryDelayMs } from '../client/backoff.ts';
import { sameJson, shareUnchanged } from '../../api/json.ts';

interface Entry {
  namespace: string;
  name: string;
  uid: string;
  latest: PodStatus | null;
  /** The last status the pod actor reported (what this kubelet holds true). */
  reported: PodStatus | null;
  /**
   * The last status the apiserver accepted, compared as JSON (sameJson). The object itself,
   * not its JSON: it is usually the one `reported` holds too, where a JSON string of each
   * pod's status cost about 1.3 KB per pod (a rope of the stringifier's parts).
   */
  sent: PodStatus;
  sentKeys: string[];
  inFlight: Promise<void> | null;
  gone: boolean;
  /** Writes refused in a row that asked to be retried (client-go's retry count), and the timer of the next. */
  retries: number;
  retryTimer: TimerId | null;
}

/** How often writes that failed are tried again (pkg/kubelet/status: syncPeriod). */
export const STATUS_SYNC_PERIOD_MS = 10_000;

export class StatusManager {
  readonly #pods = new Map<string, Entry>();
  readonly #dirty = new Set<Entry>();
  /** Pods whose last write failed and that have not reported since. */
  readonly #failed = new Set<Entry>();
  #retryTimer: TimerId | null = null;
  #scheduled = false;
  /** The kubelet stopped: nothing more is written or retried (a write the stop failed would otherwise retry every period). */
  #stopped = false;

  readonly #api: ApiClient;

  /** `random`: the kubelet's seeded [0, 1) source, for the retries' jitter. */
  constructor(
    port: Port,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly random: () => number,
  ) {
    this.#api = new ApiClient(port);
  }

  /** Stops writing: no retry, and no write for a report, from now on (the kubelet is stopping). */
  stop(): void {
    this.#stopped = true;
    if (this.#retryTimer !== null) this.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#failed.clear();
    for (const e of this.#pods.values()) this.#cancelRetry(e);
  }

  /** Starts tracking a pod (its status as the apiserver has it is the baseline). */
  track(uid: string, namespace: string, name: string, current: PodStatus | undefined): void {
    const sent = current ?? {};
    this.#pods.set(uid, { namespace, name, uid, latest: null, reported: null, sent, sentKeys: Object.keys(sent), inFlight: null, gone: false, retries: 0, retryTimer: null });
  }

  /** A pod actor reported a status; it is written on the next flush. */
  set(uid: string, status: PodStatus): void {
    const e = this.#pods.get(uid);
    if (!e || e.gone) return;
    e.latest = status;
    e.reported = status;
    this.#failed.delete(e);
    // A new report is a new write, with retries of its own (client-go counts them per request).
    this.#cancelRetry(e);
    e.retries = 0;
    this.#markDirty(e);
  }

  /**
   * The apiserver's copy of a tracked pod changed (a watch event). When it no longer says what
   * this kubelet last reported — the node lifecycle controller marked the pod not ready while
   * the node was unreachable — the last report is written again, as upstream's syncBatch does
   * for a pod that `needsReconcile`. Only what a kubelet owns and others overwrite is compared
   * (the phase, the Ready and ContainersReady conditions), so its own writes echoed back never
   * cause another. (Found by `kubeactor simulate`: pods stayed not ready after a partition healed.)
   */
  reconcile(uid: string, current: PodStatus | undefined): void {
    const e = this.#pods.get(uid);
    if (!e || e.gone || e.inFlight || e.latest || !e.reported) return;
    if (sameKubeletView(e.reported, current ?? {})) return;
    e.sent = current ?? {};
    e.sentKeys = Object.keys(current ?? {});
    e.latest = e.reported;
    this.#markDirty(e);
  }

  #markDirty(e: Entry): void {
    if (this.#stopped) return;
    this.#dirty.add(e);
    if (!this.#scheduled) {
      this.#scheduled = true;
      // Every report of one delivery round becomes one write per pod.
      queueMicrotask(() => this.#flushAll());
    }
  }

  /** Resolves once the pod's latest status was written (or could not be). */
  async flush(uid: string): Promise<void> {
    const e = this.#pods.get(uid);
    if (!e) return;
    // Bounded: a write that keeps failing must not hold a pod's deletion forever.
    for (let i = 0; i < 4; i++) {
      if (e.inFlight) await e.inFlight;
      else if (e.latest) await this.#write(e);
      else return;
    }
  }

  /** Stops writing for a pod (it is gone from the apiserver or was forgotten). */
  forget(uid: string): void {
    const e = this.#pods.get(uid);
    if (!e) return;
    e.gone = true;
    this.#dirty.delete(e);
    this.#failed.delete(e);
    this.#cancelRetry(e);
    this.#pods.delete(uid);
  }

  #flushAll(): void {
    this.#scheduled = false;
    const batch = [...this.#dirty];
    this.#dirty.clear();
    for (const e of batch) if (!e.inFlight) void this.#write(e);
  }

  /** Writes the pod's latest status again after `delayMs` (a refusal that asked to be retried). */
  #retrySoon(e: Entry, delayMs: number): void {
    if (this.#stopped) return;
    this.#cancelRetry(e);
    e.retryTimer = this.clock.setTimeout(() => {
      e.retryTimer = null;
      if (!e.inFlight && !e.gone) void this.#write(e);
    }, delayMs);
  }

  #cancelRetry(e: Entry): void {
    if (e.retryTimer === null) return;
    this.clock.clearTimeout(e.retryTimer);
    e.retryTimer = null;
  }

  #retryLater(e: Entry): void {
    if (this.#stopped) return;
    this.#failed.add(e);
    if (this.#retryTimer !== null) return;
    this.#retryTimer = this.clock.setTimeout(() => {
      this.#retryTimer = null;
      const again = [...this.#failed];
      this.#failed.clear();
      for (const f of again) if (!f.inFlight && !f.gone) void this.#write(f);
    }, STATUS_SYNC_PERIOD_MS);
  }

  #write(e: Entry): Promise<void> {
    const status = e.latest;
    e.latest = null;
    if (!status || e.gone) return Promise.resolve();
    if (sameJson(status, e.sent)) return Promise.resolve();
    const patchStatus: Record<string, unknown> = { ...status };
    for (const k of e.sentKeys) if (!(k in patchStatus)) patchStatus[k] = null;
    const run = async (): Promise<void> => {
      const r = await this.#api.patch(targets.pods(e.namespace, e.name, 'status'), { metadata: { uid: e.uid }, status: patchStatus });
      if (r.ok) {
        e.retries = 0;
        // Held as the parts of the stored pod's status it equals (the reply is the stored object
        // on the in-process bus), not as a second copy of about 900 bytes per pod.
        const stored = (r.value.object as { status?: PodStatus } | undefined)?.status;
        const held = stored ? shareUnchanged(status, stored) : status;
        if (e.reported === status) e.reported = held;
        e.sent = held;
        e.sentKeys = Object.keys(status);
      } else if (isNotFound(r) || isConflictOrExists(r)) {
        // The pod is gone or was replaced: nothing left to report for this uid.
        e.gone = true;
      } else {
        const delay = retryDelayMs(r, e.retries, this.random);
        if (delay === undefined) {
          this.log.warn('pod status update failed; will retry', { pod: `${e.namespace}/${e.name}`, code: r.status.code, error: r.status.message });
          e.retries = 0;
        } else e.retries++;
        if (!e.latest) {
          e.latest = status;
          if (delay === undefined) this.#retryLater(e);
          else this.#retrySoon(e, delay);
        }
      }
      e.inFlight = null;
      // Reports that came in meanwhile are written now, in the same step as the answer (a failed
      // write is retried on the next report only): no promise hop in between, so what is sent
      // does not hang on how continuations interleave.
      if (e.latest && !e.gone && this.#pods.has(e.uid) && !sameJson(e.latest, status)) void this.#write(e);
    };
    const p = run();
    e.inFlight = p;
    return p;
  }
}

/** The conditions a kubelet sets that the node lifecycle controller also writes (MarkPodsNotReady). */
const OWNED_CONDITIONS = ['Ready', 'ContainersReady'];

/** Whether `api` says what the kubelet's `mine` says about the phase and the owned conditions. */
function sameKubeletView(mine: PodStatus, api: PodStatus): boolean {
  if (mine.phase !== api.phase) return false;
  const cond = (s: PodStatus, type: string) => s.conditions?.find((c) => c.type === type)?.status;
  return OWNED_CONDITIONS.every((t) => cond(mine, t) === cond(api, t));
}
