/**
 * client-go's LeaderElectionRecord over a coordination.k8s.io/v1 Lease, and the pure parts
 * of tryAcquireOrRenew (tools/leaderelection/leaderelection.go): when a lock may be taken,
 * and which record the candidate writes. Times are epoch ms on the candidate's clock.
 */
import type { LeaseSpec } from 'kubernetes-types/coordination/v1.js';
import { microTime } from '../../api/time.ts';

/** What a Lease lock holds (resourcelock.LeaderElectionRecord). */
export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaderTransitions: number;
}

/** What the candidate last saw of the lock, and when it saw it change (observedTime). */
export interface Observed {
  record: LeaderElectionRecord | null;
  /** The record as written (observedRawRecord): a change restarts the expiry count. */
  raw: string;
  /** When the candidate saw `raw` change, on its own clock: expiry is judged from here, never from renewTime. */
  at: number;
}

/** The record a Lease spec holds (LeaseSpecToLeaderElectionRecord); missing fields read as zero values. */
export function recordOfSpec(spec: LeaseSpec | undefined): LeaderElectionRecord {
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTime: spec?.acquireTime ?? '',
    renewTime: spec?.renewTime ?? '',
    leaderTransitions: spec?.leaseTransitions ?? 0,
  };
}

/** The Lease spec of a record (LeaderElectionRecordToLeaseSpec). */
export function specOfRecord(r: LeaderElectionRecord): LeaseSpec {
  return {
    ...(r.holderIdentity ? { holderIdentity: r.holderIdentity } : {}),
    leaseDurationSeconds: r.leaseDurationSeconds,
    ...(r.acquireTime ? { acquireTime: r.acquireTime } : {}),
    ...(r.renewTime ? { renewTime: r.renewTime } : {}),
    leaseTransitions: r.leaderTransitions,
  };
}

/** The raw form compared between two reads (client-go compares the JSON of the record). */
export const rawOf = (r: LeaderElectionRecord): string => JSON.stringify([r.holderIdentity, r.leaseDurationSeconds, r.acquireTime, r.renewTime, r.leaderTransitions]);

/** IsLeader: the last observed holder is this candidate. */
export const isLeader = (o: Observed, identity: string): boolean => o.record?.holderIdentity === identity;

/** isLeaseValid: observedTime + the record's leaseDurationSeconds is still ahead of now. */
export const isLeaseValid = (o: Observed, now: number): boolean => o.record !== null && o.at + o.record.leaseDurationSeconds * 1000 > now;

/** The observation after reading `got` at `now`: a changed record restarts the count. */
export function observe(o: Observed, got: LeaderElectionRecord, now: number): Observed {
  const raw = rawOf(got);
  return raw === o.raw ? o : { record: got, raw, at: now };
}

/** The observation after this candidate wrote `written` (setObservedRecord). */
export const wrote = (written: LeaderElectionRecord, now: number): Observed => ({ record: written, raw: rawOf(written), at: now });

/**
 * What tryAcquireOrRenew does once it has read the lock: `create` when there is none,
 * `hold` when another holder's lease is still valid (the candidate must wait), otherwise
 * `update` with the record to write — a leader keeps its acquireTime and transition count,
 * a newcomer takes the lock as one more transition.
 */
export type Decision = { type: 'create'; record: LeaderElectionRecord } | { type: 'update'; record: LeaderElectionRecord } | { type: 'hold'; holder: string };

export function decide(identity: string, leaseDurationSeconds: number, o: Observed, found: boolean, now: number): Decision {
  const at = microTime(now);
  const fresh: LeaderElectionRecord = { holderIdentity: identity, leaseDurationSeconds, acquireTime: at, renewTime: at, leaderTransitions: 0 };
  if (!found || o.record === null) return { type: 'create', record: fresh };
  const old = o.record;
  const leader = isLeader(o, identity);
  if (old.holderIdentity.length > 0 && isLeaseValid(o, now) && !leader) return { type: 'hold', holder: old.holderIdentity };
  return leader
    ? { type: 'update', record: { ...fresh, acquireTime: old.acquireTime, leaderTransitions: old.leaderTransitions } }
    : { type: 'update', record: { ...fresh, leaderTransitions: old.leaderTransitions + 1 } };
}

/** What release() writes: no holder, a one-second lease, so a successor takes over at once. */
export function released(o: Observed, now: number): LeaderElectionRecord {
  const at = microTime(now);
  return { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: at, renewTime: at, leaderTransitions: o.record?.leaderTransitions ?? 0 };
}
