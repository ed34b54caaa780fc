/**
 * kube-scheduler's and kube-controller-manager's leader-election flags, with upstream's
 * names, defaults and checks (component-base's LeaderElectionConfiguration, client-go's
 * NewLeaderElector).
 */
import type { LeaderElectionTiming } from '../machines/leader-election/chart.ts';
import { DEFAULT_LEADER_ELECTION_TIMING } from '../machines/leader-election/chart.ts';
import { durationFlag, UsageError } from './args.ts';

export const leaderElectFlagOptions = {
  'leader-elect': { type: 'string' },
  'leader-elect-lease-duration': { type: 'string' },
  'leader-elect-renew-deadline': { type: 'string' },
  'leader-elect-retry-period': { type: 'string' },
  'leader-elect-resource-lock': { type: 'string' },
  'leader-elect-resource-namespace': { type: 'string' },
} as const;

export const LEADER_ELECT_FLAGS_HELP = `  --leader-elect[=true|false]     run the scheduler and the controller-managers only while this process
                                  holds their Lease in kube-system (kube-scheduler, kube-controller-manager,
                                  cloud-controller-manager), as the upstream components do (default true)
  --leader-elect-lease-duration D how long a standby waits after it last saw the leader renew (default 15s)
  --leader-elect-renew-deadline D how long the leader retries a failed renewal before it stops (default 10s)
  --leader-elect-retry-period D   between two tries to acquire or renew (default 2s)
  --leader-elect-resource-lock leases
                                  the lock's kind (only leases, as upstream since 1.24)
  --leader-elect-resource-namespace NS
                                  the Leases' namespace (default kube-system)`;

export interface LeaderElectFlags {
  'leader-elect'?: string | undefined;
  'leader-elect-lease-duration'?: string | undefined;
  'leader-elect-renew-deadline'?: string | undefined;
  'leader-elect-retry-period'?: string | undefined;
  'leader-elect-resource-lock'?: string | undefined;
  'leader-elect-resource-namespace'?: string | undefined;
}

/** A bare `--leader-elect` means true (parseArgs wants a value for a string flag). */
export const withLeaderElectDefault = (argv: string[]): string[] => argv.map((a) => (a === '--leader-elect' ? '--leader-elect=true' : a));

export interface LeaderElectChoice {
  enabled: boolean;
  namespace: string;
  timing: LeaderElectionTiming;
}

/** client-go's JitterFactor: renewDeadline must outlast a jittered retry. */
const JITTER_FACTOR = 1.2;

export function leaderElectFrom(values: LeaderElectFlags): LeaderElectChoice {
  const v = values['leader-elect'] ?? 'true';
  if (v !== 'true' && v !== 'false') throw new UsageError(`--leader-elect must be true or false, got "${v}"`);
  const lock = values['leader-elect-resource-lock'] ?? 'leases';
  if (lock !== 'leases') throw new UsageError(`--leader-elect-resource-lock: "${lock}" is not supported: only "leases" is (as upstream since Kubernetes 1.24)`);
  const d = DEFAULT_LEADER_ELECTION_TIMING;
  const timing = {
    leaseDurationMs: durationFlag('leader-elect-lease-duration', values['leader-elect-lease-duration'], d.leaseDurationMs),
    renewDeadlineMs: durationFlag('leader-elect-renew-deadline', values['leader-elect-renew-deadline'], d.renewDeadlineMs),
    retryPeriodMs: durationFlag('leader-elect-retry-period', values['leader-elect-retry-period'], d.retryPeriodMs),
  };
  if (v === 'true') {
    // NewLeaderElector's checks, in its order and words.
    if (timing.leaseDurationMs <= timing.renewDeadlineMs) throw new UsageError('leaseDuration must be greater than renewDeadline');
    if (timing.renewDeadlineMs <= JITTER_FACTOR * timing.retryPeriodMs) throw new UsageError('renewDeadline must be greater than retryPeriod*JitterFactor');
    if (timing.leaseDurationMs < 1000) throw new UsageError('leaseDuration must be greater than zero');
    if (timing.retryPeriodMs < 1) throw new UsageError('retryPeriod must be greater than zero');
  }
  return { enabled: v === 'true', namespace: values['leader-elect-resource-namespace'] ?? 'kube-system', timing };
}
