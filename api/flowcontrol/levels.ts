/**
 * Concurrency limits of the priority levels, as upstream's apf_controller computes them: each
 * level's nominal limit is ceil(serverConcurrencyLimit * nominalConcurrencyShares / sum of every
 * level's shares), its lower bound that less what it lends (lendablePercent of it), its upper
 * bound that plus what it may borrow (borrowingLimitPercent of it; none given: the whole
 * server). The current limit moves between the two with demand (borrowing.ts); Exempt levels
 * are never limited. Pure.
 */
import type { PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.js';
import type { QueuingConfig } from './queueset.ts';
import type { LevelBounds } from './borrowing.ts';

/** kube-apiserver's --max-requests-inflight (400) plus --max-mutating-requests-inflight (200). */
export const DEFAULT_SERVER_CONCURRENCY_LIMIT = 600;

/** What the dispatcher needs of one PriorityLevelConfiguration. */
export interface LevelPlan {
  readonly name: string;
  readonly uid: string;
  readonly exempt: boolean;
  /** Seats when the level starts: nominal less half what it lends, as upstream starts a level (0 for exempt levels: they are never counted against). */
  readonly limit: number;
  /** The nominal limit, and the bounds borrowing keeps the current limit within. */
  readonly bounds: LevelBounds;
  /** Queuing parameters; null when the level rejects what it cannot run at once (or is exempt). */
  readonly queuing: QueuingConfig | null;
}

/** The plans of `levels` for a server of `serverLimit` seats. */
export function planLevels(levels: readonly PriorityLevelConfiguration[], serverLimit: number): LevelPlan[] {
  // v1's defaults: a Limited level's shares 30, an Exempt level's 0; lendablePercent 0.
  const shares = (pl: PriorityLevelConfiguration): number => (pl.spec?.type === 'Limited' ? pl.spec.limited?.nominalConcurrencyShares ?? 30 : pl.spec?.exempt?.nominalConcurrencyShares ?? 0);
  const sum = levels.reduce((n, pl) => n + shares(pl), 0);
  return levels.map((pl) => {
    const exempt = pl.spec?.type !== 'Limited';
    const common = exempt ? pl.spec?.exempt : pl.spec?.limited;
    const nominal = sum === 0 ? 0 : Math.ceil((serverLimit * shares(pl)) / sum);
    const lendable = Math.round((nominal * (common?.lendablePercent ?? 0)) / 100);
    const borrowingPercent = exempt ? undefined : pl.spec?.limited?.borrowingLimitPercent;
    const borrowing = borrowingPercent == null ? serverLimit : Math.round((nominal * borrowingPercent) / 100);
    const q = pl.spec?.limited?.limitResponse?.type === 'Queue' ? pl.spec.limited.limitResponse.queuing : undefined;
    return {
      name: pl.metadata?.name ?? '',
      uid: pl.metadata?.uid ?? '',
      exempt,
      limit: exempt ? 0 : nominal - Math.trunc(lendable / 2),
      bounds: { nominal, lower: nominal - lendable, upper: nominal + borrowing },
      queuing: q ? { queues: q.queues ?? 64, handSize: q.handSize ?? 8, queueLengthLimit: q.queueLengthLimit ?? 50 } : null,
    };
  });
}
