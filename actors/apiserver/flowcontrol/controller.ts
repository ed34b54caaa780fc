/**
 * API Priority and Fairness in the apiserver: every request (REST through the front, or a
 * component's bus request) is classified by the FlowSchemas into a priority level and a
 * flow, then executes at once while its level has a free seat, waits in its level's
 * shuffle-sharded fair queues, or is answered 429 TooManyRequests with Retry-After (a full
 * queue, a level that rejects, or a wait past `queueWaitMs`). A request holds its seat from
 * admission to its reply; a watch only until it has started. Exempt levels are never counted.
 * Every 10 s (and at each change of configuration) the levels' limits are set anew from their
 * seat demand, as upstream's borrowing does (api/flowcontrol/borrowing.ts): a busy level takes
 * the seats idle ones lend. Exempt levels take part with no demand (theirs is not measured).
 *
 * The configuration is the served FlowSchemas and PriorityLevelConfigurations, read from the
 * apiserver's cache and re-read after they change. Classifications are remembered per request
 * key (who, verb, target), so the common case is one Map lookup and a counter.
 */
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.js';
import type { Clock, TimerId } from '../../../base/clock.ts';
import { tooManyRequests, type Status } from '../../../base/status.ts';
import { CATCH_ALL } from '../../../api/flowcontrol/bootstrap.ts';
import { classify, matchingOrder, type RequestDigest } from '../../../api/flowcontrol/classify.ts';
import { DEFAULT_SERVER_CONCURRENCY_LIMIT, planLevels, type LevelPlan } from '../../../api/flowcontrol/levels.ts';
import { flowHash, QueueSet, type Waiter } from '../../../api/flowcontrol/queueset.ts';
import { allocate, allocationItem, BORROWING_PERIOD_MS, nextStats, NO_DEMAND, SeatDemand, type DemandStats } from '../../../api/flowcontrol/borrowing.ts';

export interface FlowControlOptions {
  /** The seats all Limited levels share (default 600: kube-apiserver's 400 + 200 in-flight limits). */
  serverConcurrencyLimit?: number;
  /** The longest a request waits in a queue before 429 (default 15 s: a quarter of the 60 s request timeout, as upstream). */
  queueWaitMs?: number;
}

/** Where the configuration comes from: the apiserver's cache of the two kinds. */
export interface FlowConfigSource {
  flowSchemas(): readonly FlowSchema[];
  priorityLevels(): readonly PriorityLevelConfiguration[];
  /** Calls `listener` after either kind changed; returns the function that stops it. */
  onChange(listener: () => void): () => void;
}

/** A request's counters per (FlowSchema, priority level), as the metrics label them. */
export interface PairStats {
  readonly flowSchema: string;
  readonly priorityLevel: string;
  dispatched: number;
  executing: number;
  waiting: number;
  rejected: { 'queue-full': number; 'time-out': number; 'concurrency-limit': number };
  /** Seconds waited in queue, summed and bucketed (apiserver_flowcontrol_request_wait_duration_seconds). */
  waitBuckets: number[];
  waitSum: number;
  /**
   * Seconds from dispatch to the seat's release, summed and bucketed as the wait
   * (apiserver_flowcontrol_request_execution_seconds): how long a request holds its seat.
   */
  execBuckets: number[];
  execSum: number;
}

/** The wait histogram's upper bounds in seconds (upstream's buckets). */
export const WAIT_BUCKETS = [0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30];

/** The histogram bucket of `seconds` (WAIT_BUCKETS' first bound it is within; past the last, the open one). */
function bucketOf(seconds: number): number {
  let i = 0;
  while (i < WAIT_BUCKETS.length && seconds > WAIT_BUCKETS[i]!) i++;
  return i;
}

/** A level as the dispatcher runs it. */
export interface Level {
  plan: LevelPlan;
  /** null for an exempt level. */
  set: QueueSet<Pending> | null;
  /** Its seats in use or waited for, over time (an exempt level's is not measured: 0). */
  demand: SeatDemand;
  /** Its demand as of the last adjustment, and the target that adjustment gave it. */
  stats: DemandStats;
  target: number;
}

interface Decision {
  readonly level: Level;
  /** The answer for every request of an exempt level (made once: exempt requests hold no seat). */
  readonly exempt?: Admitted;
  readonly flowSchema: string;
  readonly flowSchemaUid: string;
  readonly distinguisher: string;
  readonly stats: PairStats;
}

/** A request holding (or waiting for) a seat. */
export class Pending implements Waiter {
  queue = -1;
  timer: TimerId | undefined;
  since = 0;
  resolve: ((a: Admitted) => void) | undefined;
  constructor(readonly decision: Decision) {}
}

/** An admitted request: the response headers' UIDs, and the seat to give back at its reply. */
export interface FlowTicket {
  readonly flowSchemaUid: string;
  readonly priorityLevelUid: string;
  release(): void;
}

/** Admitted with a ticket, or refused with the 429 (naming the schema and level that refused it, for the headers). */
export type Admitted = { ok: true; ticket: FlowTicket } | { ok: false; status: Status; ticket: FlowTicket };

const FREE: FlowTicket = { flowSchemaUid: '', priorityLevelUid: '', release: () => {} };
const MAX_REMEMBERED = 50_000;

/** The 429 upstream's filter answers; Retry-After is its first value (1 s; upstream grows it while drops continue). */
export const rejected = (): Status => tooManyRequests('Too many requests, please try again later.', 1);

export class FlowControl {
  readonly #serverLimit: number;
  readonly #waitMs: number;
  #source: FlowConfigSource | null = null;
  #clock: Clock | null = null;
  #stopListening: (() => void) | undefined;
  #dirty = true;
  #schemas: FlowSchema[] = [];
  #levels = new Map<string, Level>();
  readonly #decisions = new Map<string, Decision>();
  readonly #stats = new Map<string, PairStats>();
  #fairProp = 0;
  #period: TimerId | undefined;

  constructor(readonly options: FlowControlOptions = {}) {
    const opts = options;
    this.#serverLimit = opts.serverConcurrencyLimit ?? DEFAULT_SERVER_CONCURRENCY_LIMIT;
    this.#waitMs = opts.queueWaitMs ?? 15_000;
  }

  /** Binds to an apiserver incarnation's cache and clock (the previous one's binding ends). */
  attach(source: FlowConfigSource, clock: Clock): void {
    this.#stopListening?.();
    if (this.#period !== undefined) this.#clock?.clearTimeout(this.#period);
    this.#source = source;
    this.#clock = clock;
    this.#dirty = true;
    const every = (): void => {
      this.#period = clock.setTimeout(() => {
        if (this.#clock !== clock) return;
        this.#refresh();
        this.#adjust(clock.now());
        every();
      }, BORROWING_PERIOD_MS);
    };
    every();
    // Re-read soon after a change, not at the next request: a level that gained seats dispatches its queues now.
    this.#stopListening = source.onChange(() => {
      this.#dirty = true;
      queueMicrotask(() => this.#refresh());
    });
  }

  /** Re-reads the configuration before the next request (the cache was primed anew). */
  invalidate(): void {
    this.#dirty = true;
  }

  /** The levels now served, by name. */
  levels(): ReadonlyMap<string, Level> {
    this.#refresh();
    return this.#levels;
  }

  /** Every (FlowSchema, level) pair's counters. */
  stats(): Iterable<PairStats> {
    return this.#stats.values();
  }

  /**
   * Admits a request: at once (the common case) or once a seat frees, or a 429. `key` names
   * everything classification reads (who, verb, target); `digest` is called only when the
   * key is new.
   */
  admit(key: string, digest: () => RequestDigest): Admitted | Promise<Admitted> {
    if (this.#dirty) this.#refresh();
    let d = this.#decisions.get(key);
    if (!d) {
      const made = this.#decide(digest());
      if (!made) return { ok: true, ticket: FREE };
      d = made;
      if (this.#decisions.size >= MAX_REMEMBERED) this.#decisions.clear();
      this.#decisions.set(key, d);
    }
    const set = d.level.set;
    if (!set) {
      d.stats.dispatched++;
      return d.exempt!;
    }
    const p = new Pending(d);
    const outcome = set.admit(p, () => flowHash(d.flowSchema, d.distinguisher));
    if (outcome === 'execute') return this.#start(p, 0);
    if (outcome === 'rejected') {
      d.stats.rejected[set.queuing ? 'queue-full' : 'concurrency-limit']++;
      return refusal(d);
    }
    d.stats.waiting++;
    p.since = this.#clock!.now();
    noteDemand(d.level, p.since);
    return new Promise<Admitted>((resolve) => {
      p.resolve = resolve;
      p.timer = this.#clock!.setTimeout(() => this.#timeOut(set, p), this.#waitMs);
    });
  }

  #start(p: Pending, waitedMs: number): Admitted {
    const s = p.decision.stats;
    s.dispatched++;
    s.executing++;
    const seconds = waitedMs / 1000;
    s.waitSum += seconds;
    s.waitBuckets[bucketOf(seconds)]!++;
    let done = false;
    const level = p.decision.level;
    const started = this.#clock!.now();
    noteDemand(level, started);
    const release = (): void => {
      if (done) return;
      done = true;
      s.executing--;
      const now = this.#clock!.now();
      const held = (now - started) / 1000;
      s.execSum += held;
      s.execBuckets[bucketOf(held)]!++;
      for (const next of level.set!.finish(p)) this.#wake(next);
      noteDemand(level, now);
    };
    return { ok: true, ticket: { flowSchemaUid: p.decision.flowSchemaUid, priorityLevelUid: level.plan.uid, release } };
  }

  #wake(p: Pending): void {
    if (p.timer !== undefined) this.#clock!.clearTimeout(p.timer);
    p.decision.stats.waiting--;
    p.resolve?.(this.#start(p, this.#clock!.now() - p.since));
  }

  #timeOut(set: QueueSet<Pending>, p: Pending): void {
    if (!set.cancel(p)) return;
    noteDemand(p.decision.level, this.#clock!.now());
    p.decision.stats.waiting--;
    p.decision.stats.rejected['time-out']++;
    p.resolve?.(refusal(p.decision));
  }

  #decide(digest: RequestDigest): Decision | null {
    const found = classify(this.#schemas, new Set(this.#levels.keys()), digest);
    const levelName = found?.level ?? CATCH_ALL;
    const level = this.#levels.get(levelName);
    if (!level) return null;
    const flowSchema = found?.schema.metadata?.name ?? CATCH_ALL;
    const statsKey = `${flowSchema}\u0000${levelName}`;
    let stats = this.#stats.get(statsKey);
    if (!stats) {
      stats = { flowSchema, priorityLevel: levelName, dispatched: 0, executing: 0, waiting: 0, rejected: { 'queue-full': 0, 'time-out': 0, 'concurrency-limit': 0 }, waitBuckets: new Array<number>(WAIT_BUCKETS.length + 1).fill(0), waitSum: 0, execBuckets: new Array<number>(WAIT_BUCKETS.length + 1).fill(0), execSum: 0 };
      this.#stats.set(statsKey, stats);
    }
    const flowSchemaUid = found?.schema.metadata?.uid ?? '';
    const exempt: Admitted | undefined = level.set ? undefined : { ok: true, ticket: { flowSchemaUid, priorityLevelUid: level.plan.uid, release: () => {} } };
    return { level, flowSchema, flowSchemaUid, distinguisher: found?.distinguisher ?? '', stats, ...(exempt ? { exempt } : {}) };
  }

  /** Re-reads the configuration; a level whose queues changed shape starts new queues and its waiting requests are admitted again. */
  #refresh(): void {
    if (!this.#dirty || !this.#source) return;
    this.#dirty = false;
    this.#decisions.clear();
    const plans = planLevels(this.#source.priorityLevels(), this.#serverLimit);
    const old = this.#levels;
    const next = new Map<string, Level>();
    const orphans: Pending[] = [];
    const now = this.#clock!.now();
    for (const plan of plans) {
      const had = old.get(plan.name);
      if (had && had.plan.exempt === plan.exempt && sameQueuing(had.plan, plan)) {
        had.plan = plan;
        next.set(plan.name, had);
      } else {
        if (had?.set) orphans.push(...had.set.drain());
        // A new level starts at its nominal limit less half what it lends, with no demand yet.
        next.set(plan.name, { plan, set: plan.exempt ? null : new QueueSet<Pending>(plan.limit, plan.queuing), demand: new SeatDemand(now), stats: NO_DEMAND, target: 0 });
      }
    }
    for (const [name, had] of old) if (!next.has(name) && had.set) orphans.push(...had.set.drain());
    this.#levels = next;
    this.#schemas = matchingOrder(this.#source.flowSchemas());
    // As upstream, a new configuration sets the limits anew at once (the nominal ones may have moved).
    this.#adjust(now);
    for (const p of orphans) this.#readmit(p);
  }

  /**
   * Seat borrowing: each level's current limit set from its demand since the last adjustment,
   * within its bounds, the limits summing to the nominal ones' sum (borrowing.ts). A level whose
   * limit rose dispatches from its queues at once.
   */
  #adjust(now: number): void {
    const levels = [...this.#levels.values()];
    const items = levels.map((l) => {
      l.stats = nextStats(l.stats, l.demand.reset(now));
      return allocationItem(l.plan.bounds, l.stats);
    });
    const total = levels.reduce((n, l) => n + l.plan.bounds.nominal, 0);
    const { allocations, fairProp } = allocate(total, items);
    this.#fairProp = fairProp;
    levels.forEach((l, i) => {
      l.target = items[i]!.target;
      if (!l.set) return;
      l.set.limit = Math.round(allocations[i]!);
      for (const p of l.set.dispatch()) this.#wake(p);
      noteDemand(l, now);
    });
  }

  /** The fair proportion of the last adjustment (apiserver_flowcontrol_seat_fair_frac). */
  get fairProp(): number {
    return this.#fairProp;
  }

  #readmit(p: Pending): void {
    if (p.timer !== undefined) this.#clock!.clearTimeout(p.timer);
    p.decision.stats.waiting--;
    const level = this.#levels.get(p.decision.level.plan.name);
    // The level went away or no longer limits: the request runs unlimited.
    if (!level?.set) return void p.resolve?.({ ok: true, ticket: FREE });
    const again = new Pending({ ...p.decision, level });
    const outcome = level.set.admit(again, () => flowHash(again.decision.flowSchema, again.decision.distinguisher));
    noteDemand(level, this.#clock!.now());
    if (outcome === 'execute') return void p.resolve?.(this.#start(again, this.#clock!.now() - p.since));
    if (outcome === 'rejected') return void p.resolve?.(refusal(again.decision));
    again.decision.stats.waiting++;
    again.since = p.since;
    again.resolve = p.resolve;
    again.timer = this.#clock!.setTimeout(() => this.#timeOut(level.set!, again), Math.max(0, this.#waitMs - (this.#clock!.now() - p.since)));
  }
}

/** The level's demand is what its seats hold and its queues wait for, from `now` on. */
function noteDemand(level: Level, now: number): void {
  if (level.set) level.demand.set(level.set.executing + level.set.waiting, now);
}

const refusal = (d: Decision): Admitted => ({ ok: false, status: rejected(), ticket: { flowSchemaUid: d.flowSchemaUid, priorityLevelUid: d.level.plan.uid, release: () => {} } });

const sameQueuing = (a: LevelPlan, b: LevelPlan): boolean =>
  a.queuing?.queues === b.queuing?.queues && a.queuing?.handSize === b.queuing?.handSize && a.queuing?.queueLengthLimit === b.queuing?.queueLengthLimit;
