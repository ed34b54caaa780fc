/**
 * Running a component under leader election, as kube-scheduler and kube-controller-manager
 * do with `--leader-elect`: the candidate at `lease.<name>` starts the component when it
 * leads and stops it when it loses the lock; without leader election the component runs at once.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { ActorHost } from '../host.ts';
import { leaderElectionActor, leaderElectionAddress, type LeaderElectionHandle, type LeaderElectionOptions } from './elector.ts';

/** A component's work: started when its candidate leads, stopped when it stops leading. */
export interface Work {
  stop(): void;
}

export interface LeaderElectedOptions extends Omit<LeaderElectionOptions, 'onStartedLeading' | 'onStoppedLeading' | 'identity'> {
  /** --leader-elect (default true, as upstream); false starts the work at once. */
  leaderElect?: boolean;
  /** The holderIdentity (default `candidateIdentity()`). */
  identity?: string;
  /** Starts the work (OnStartedLeading); called again after a lost lock is taken back. */
  run(): Work;
  /** Told when this process starts and stops leading (for the CLI's log lines). */
  onTransition?(leading: boolean): void;
}

export interface LeaderElected {
  /** undefined without leader election. */
  readonly candidate: LeaderElectionHandle | undefined;
  /** True while the work runs. */
  running(): boolean;
  /** Stops the work and the candidate, releasing a held lock. */
  stop(): Promise<void>;
}

/** client-go users' holder identity: the host name, `_`, a fresh UUID (unique per process start). */
export const candidateIdentity = (): string => `${hostname()}_${randomUUID()}`;

export function startLeaderElected(host: ActorHost, opts: LeaderElectedOptions): LeaderElected {
  let work: Work | undefined;
  if (opts.leaderElect === false) {
    work = opts.run();
    return { candidate: undefined, running: () => work !== undefined, stop: async () => void work?.stop() };
  }
  let candidate: LeaderElectionHandle | undefined;
  const { run, onTransition, leaderElect: _, ...rest } = opts;
  host.spawn(
    leaderElectionActor(
      {
        ...rest,
        identity: opts.identity ?? candidateIdentity(),
        onStartedLeading: () => {
          work ??= run();
          onTransition?.(true);
        },
        onStoppedLeading: () => {
          work?.stop();
          work = undefined;
          onTransition?.(false);
        },
      },
      (h) => (candidate = h),
    ),
  );
  return {
    get candidate() {
      return candidate;
    },
    running: () => work !== undefined,
    async stop() {
      // Through the host, so a recording holds the stop and a replay makes the same release.
      host.tell(opts.address ?? leaderElectionAddress(opts.name), { type: 'leader-election.stop' });
      await candidate?.resign();
      work?.stop();
      work = undefined;
      host.stop(opts.address ?? leaderElectionAddress(opts.name));
    },
  };
}
