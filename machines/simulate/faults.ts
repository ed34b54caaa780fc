/**
 * Which faults a simulation injects, when, and where — chosen from the seed. Pure: the plan
 * is a function of a random source, the fault kinds asked for, the window and the targets;
 * actors/simulate/injector.ts carries it out.
 */

/** Every kind of fault, by the name `--faults` takes. */
export const FAULT_KINDS = [
  /** Bus: messages delayed by up to 2 s, so messages of different senders arrive reordered (per sender and receiver order is kept). */
  'delay',
  /** Bus: a watch batch lost on the way; the client sees the gap in batch numbers and relists. */
  'watch-drop',
  /** Bus: the apiserver's reply lost; the client's request times out (504) although the server did the work. */
  'timeout',
  /** A component (scheduler, a controller, the informers, a kubelet) crashes; its supervisor restarts it. */
  'crash',
  /** The apiserver crashes and restarts with a cold watch cache. */
  'apiserver-restart',
  /** A kubelet goes silent (its node powered off, its pods with it) and comes back. */
  'kubelet-silent',
  /** A node cannot reach the control plane (both ways); what it sends waits until the partition heals. */
  'partition',
  /** Storage: writes made durable late (a slow fsync). */
  'kv-slow',
  /** Storage: writes refused before they apply (the apiserver answers 500 or 503; nothing half-written). */
  'kv-fail',
  /** Storage: the kv actor restarts; every watch on it ends and is re-established. */
  'kv-restart',
  /** A kubelet's clock runs ahead of or behind the control plane's. */
  'clock-skew',
  /** Sieve-style stale views: the controllers' shared informers get every event late. */
  'stale-informer',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One fault: from `at` (virtual ms after the start) for `forMs` (0 for a one-off), on `target` where it has one. */
export interface FaultEpisode {
  kind: FaultKind;
  at: number;
  forMs: number;
  /** A node name (kubelet-silent, partition, clock-skew) or an actor address (crash). */
  target?: string;
  /** clock-skew: the offset in ms; stale-informer: the lag; delay-like kinds: the rate in [0, 1]. */
  amount?: number;
}

export interface PlanInput {
  kinds: readonly FaultKind[];
  /** Faults start within [0, windowMs) and are over by windowMs. */
  windowMs: number;
  nodes: readonly string[];
  /** Addresses a `crash` may hit. */
  crashable: readonly string[];
  /** Mean virtual time between two episodes of one kind (default 8 min). */
  meanGapMs?: number;
}

const between = (rand: () => number, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(rand: () => number, xs: readonly T[]): T | undefined => (xs.length === 0 ? undefined : xs[Math.floor(rand() * xs.length)]);

/** The length, target and amount of one episode of `kind`. */
function shape(kind: FaultKind, rand: () => number, input: PlanInput): Omit<FaultEpisode, 'kind' | 'at'> | null {
  const node = (): string | undefined => pick(rand, input.nodes);
  switch (kind) {
    case 'delay':
      return { forMs: between(rand, 60_000, 300_000), amount: 0.1 + rand() * 0.4 };
    case 'watch-drop':
      return { forMs: between(rand, 60_000, 300_000), amount: 0.02 + rand() * 0.1 };
    case 'timeout':
      return { forMs: between(rand, 30_000, 180_000), amount: 0.01 + rand() * 0.05 };
    case 'kv-slow':
      return { forMs: between(rand, 30_000, 180_000), amount: 0.1 + rand() * 0.5 };
    case 'kv-fail':
      return { forMs: between(rand, 30_000, 180_000), amount: 0.02 + rand() * 0.1 };
    case 'crash': {
      const target = pick(rand, input.crashable);
      return target === undefined ? null : { forMs: 0, target };
    }
    case 'apiserver-restart':
    case 'kv-restart':
      return { forMs: 0 };
    case 'kubelet-silent':
    case 'partition': {
      const target = node();
      return target === undefined ? null : { forMs: between(rand, 30_000, 360_000), target };
    }
    case 'clock-skew': {
      const target = node();
      const skew = between(rand, 1_000, 30_000) * (rand() < 0.5 ? -1 : 1);
      return target === undefined ? null : { forMs: between(rand, 120_000, 900_000), target, amount: skew };
    }
    case 'stale-informer':
      return { forMs: between(rand, 60_000, 360_000), amount: between(rand, 2_000, 30_000) };
  }
}

/**
 * The episodes, sorted by start (then kind order). Per kind, starts are spaced by
 * `meanGapMs` × (0.5 … 1.5); an episode that would outlast the window is cut to end there.
 */
export function planFaults(rand: () => number, input: PlanInput): FaultEpisode[] {
  const gap = input.meanGapMs ?? 8 * 60_000;
  const out: FaultEpisode[] = [];
  for (const kind of FAULT_KINDS) {
    if (!input.kinds.includes(kind)) continue;
    for (let at = Math.floor(gap * rand()); at < input.windowMs; at += Math.floor(gap * (0.5 + rand()))) {
      const s = shape(kind, rand, input);
      if (s === null) break;
      out.push({ kind, at, ...s, forMs: Math.min(s.forMs, input.windowMs - at) });
    }
  }
  const order = (k: FaultKind): number => FAULT_KINDS.indexOf(k);
  return out.sort((a, b) => a.at - b.at || order(a.kind) - order(b.kind));
}

/** Parses `--faults` (comma-separated kinds, `all`, or `none`); throws naming an unknown kind. */
export function parseFaultKinds(list: string | undefined): FaultKind[] {
  if (list === undefined || list === 'all') return [...FAULT_KINDS];
  if (list === 'none' || list === '') return [];
  const kinds = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const k of kinds) if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new Error(`unknown fault kind "${k}" (known: ${FAULT_KINDS.join(', ')}, all, none)`);
  return FAULT_KINDS.filter((k) => kinds.includes(k));
}
