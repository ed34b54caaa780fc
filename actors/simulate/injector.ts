/**
 * Carries out a fault plan (machines/simulate/faults.ts): starts and ends each episode at
 * its virtual time and answers the faulty bus's and the faulty kv's per-message questions
 * while episodes are active. Every per-message choice draws from one seeded stream in the
 * order messages are sent, so a seed always makes the same choices.
 */
import type { Clock } from '../../base/clock.ts';
import { APISERVER_ADDRESS, KV_ADDRESS } from '../../bus/permissions.ts';
import type { ActorHost } from '../host.ts';
import { kubeletAddress } from '../kubelet/index.ts';
import type { FaultEpisode, FaultKind } from '../../machines/simulate/faults.ts';
import type { Outgoing, Verdict } from './faulty-bus.ts';
import type { KvVerdict } from './faulty-kv.ts';

/** The shared informer factory's address (actors/informers). */
const INFORMERS = 'informers';

/** What the injector needs of the cluster to break it. */
export interface Breakable {
  host: ActorHost;
  clock: Clock;
  /** Stops a node's kubelet (its pods with it) and starts it again. */
  silence(node: string): void;
  revive(node: string): Promise<void>;
  /** Sets a kubelet's clock offset from the control plane's (0: none). */
  skew(kubelet: string, offsetMs: number): void;
}

const PASS: Verdict = { do: 'pass' };

export class Injector {
  /** Active episodes by kind (several of one kind may overlap: partitions of two nodes). */
  readonly #active = new Map<FaultKind, FaultEpisode[]>();
  /** Episodes started, by kind, for the summary. */
  readonly started: Partial<Record<FaultKind, number>> = {};

  constructor(
    private readonly rand: () => number,
    private readonly cluster: Breakable,
  ) {}

  /** Starts `e` (a one-off happens now); its end is `end(e)`, called by the run loop at `e.at + e.forMs`. */
  start(e: FaultEpisode): void {
    this.started[e.kind] = (this.started[e.kind] ?? 0) + 1;
    const { host } = this.cluster;
    switch (e.kind) {
      case 'crash':
        host.crash(e.target!, new Error('simulated crash'));
        return;
      case 'apiserver-restart':
        host.crash(APISERVER_ADDRESS, new Error('simulated apiserver restart'));
        return;
      case 'kv-restart':
        host.crash(KV_ADDRESS, new Error('simulated kv restart'));
        return;
      case 'kubelet-silent':
        // A node already down (or partitioned) is not hit twice.
        if (this.#nodeBusy(e.target!)) return;
        this.cluster.silence(e.target!);
        break;
      case 'partition':
        if (this.#nodeBusy(e.target!)) return;
        break;
      case 'clock-skew':
        this.cluster.skew(kubeletAddress(e.target!), e.amount!);
        break;
    }
    const list = this.#active.get(e.kind) ?? [];
    this.#active.set(e.kind, [...list, e]);
  }

  /** Ends `e` if it is active (a node silenced comes back; a skew is undone). */
  async end(e: FaultEpisode): Promise<void> {
    const list = this.#active.get(e.kind);
    if (!list?.includes(e)) return;
    this.#active.set(e.kind, list.filter((x) => x !== e));
    if (e.kind === 'clock-skew') this.cluster.skew(kubeletAddress(e.target!), 0);
    if (e.kind === 'kubelet-silent') await this.cluster.revive(e.target!);
  }

  #nodeBusy(node: string): boolean {
    return [...(this.#active.get('kubelet-silent') ?? []), ...(this.#active.get('partition') ?? [])].some((x) => x.target === node);
  }

  #rate(kind: FaultKind): number {
    const list = this.#active.get(kind);
    return list === undefined || list.length === 0 ? 0 : Math.max(...list.map((e) => e.amount ?? 0));
  }

  /** The faulty bus's question: what happens to this message. */
  bus(m: Outgoing): Verdict {
    const parted = this.#active.get('partition');
    if (parted?.length) {
      for (const e of parted) {
        const k = kubeletAddress(e.target!);
        // What crosses between the node and the control plane waits until the partition heals.
        if ((m.from === k) !== (m.to === k)) return { do: 'delay', ms: e.at + e.forMs - (this.cluster.clock.now() - this.#t0) + 1 };
      }
    }
    if (m.type === 'api.watch-events' && this.#chance('watch-drop')) return { do: 'lose' };
    if (m.via === 'reply' && m.from === APISERVER_ADDRESS && this.#chance('timeout')) return { do: 'lose' };
    const lag = this.#rate('stale-informer');
    if (lag > 0 && m.from === APISERVER_ADDRESS && m.to === INFORMERS) return { do: 'delay', ms: lag };
    if (this.#chance('delay')) return { do: 'delay', ms: 1 + Math.floor(this.rand() * 2000) };
    return PASS;
  }

  /** The faulty kv's question: what happens to this txn. */
  kv(): KvVerdict {
    if (this.#chance('kv-fail')) return { do: 'fail', code: this.rand() < 0.5 ? 500 : 503 };
    if (this.#chance('kv-slow')) return { do: 'slow', ms: 50 + Math.floor(this.rand() * 1450) };
    return { do: 'pass' };
  }

  /** True with the active episodes' rate of `kind` (no draw when none is active: a quiet run draws nothing). */
  #chance(kind: FaultKind): boolean {
    const p = this.#rate(kind);
    return p > 0 && this.rand() < p;
  }

  #t0 = 0;
  /** The virtual time episodes' `at` counts from. */
  set origin(t0: number) {
    this.#t0 = t0;
  }
}
