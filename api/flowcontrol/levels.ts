/**
 * Concurrency limits of the priority levels, as upstream's apf_controller computes them
 * without borrowing: each Limited level's nominal limit is
 * ceil(serverConcurrencyLimit * nominalConcurrencyShares / sum of every Limited level's shares);
 * Exempt levels are not limited. Pure.
 */
import type { PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.js';
import type { QueuingConfig } from './queueset.ts';

/** kube-apiserver's --max-requests-inflight (400) plus --max-mutating-requests-inflight (200). */
export const DEFAULT_SERVER_CONCURRENCY_LIMIT = 600;

/** What the dispatcher needs of one PriorityLevelConfiguration. */
export interface LevelPlan {
  readonly name: string;
  readonly uid: string;
  readonly exempt: boolean;
  /** Seats (0 for exempt levels: they are never counted against). */
  readonly limit: number;
  /** Queuing parameters; null when the level rejects what it cannot run at once (or is exempt). */
  readonly queuing: QueuingConfig | null;
}

/** The plans of `levels` for a server of `serverLimit` seats. */
export function planLevels(levels: readonly PriorityLevelConfiguration[], serverLimit: number): LevelPlan[] {
  const shares = (pl: PriorityLevelConfiguration): number => pl.spec?.limited?.nominalConcurrencyShares ?? 30;
  const limited = levels.filter((pl) => pl.spec?.type === 'Limited');
  const sum = limited.reduce((n, pl) => n + shares(pl), 0);
  return levels.map((pl) => {
    const exempt = pl.spec?.type !== 'Limited';
    const q = pl.spec?.limited?.limitResponse?.type === 'Queue' ? pl.spec.limited.limitResponse.queuing : undefined;
    return {
      name: pl.metadata?.name ?? '',
      uid: pl.metadata?.uid ?? '',
      exempt,
      limit: exempt || sum === 0 ? 0 : Math.ceil((serverLimit * shares(pl)) / sum),
      queuing: q ? { queues: q.queues ?? 64, handSize: q.handSize ?? 8, queueLengthLimit: q.queueLengthLimit ?? 50 } : null,
    };
  });
}
