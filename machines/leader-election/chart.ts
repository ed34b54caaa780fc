import { assertEvent, assign, setup } from 'xstate';
import type { Observed } from './record.ts';

/** client-go's timings, in ms on the candidate's clock (kube-scheduler's and kube-controller-manager's defaults). */
export interface LeaderElectionTiming {
  /** How long a non-leader waits after it last saw the record change before it may take the lock (LeaseDuration, 15 s). */
  leaseDurationMs: number;
  /** How long the leader keeps retrying a failed renewal before it gives up leading (RenewDeadline, 10 s). */
  renewDeadlineMs: number;
  /** Between two tries, acquiring or renewing (RetryPeriod, 2 s). */
  retryPeriodMs: number;
}

export const DEFAULT_LEADER_ELECTION_TIMING: LeaderElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/**
 * How one tryAcquireOrRenew ended (sent back by the actor layer). `attempt` is the number the
 * chart gave the try: a late answer to a try the chart has moved past is ignored.
 */
export interface TriedEvent {
  type: 'leader-election.tried';
  attempt: number;
  ok: boolean;
  observed: Observed;
  /** Why the try failed: the holder of a valid lease, or the apiserver's message. */
  reason?: string;
}

export type LeaderElectionEvent = TriedEvent | { type: 'leader-election.stop' };

export interface LeaderElectionContext {
  identity: string;
  timing: LeaderElectionTiming;
  observed: Observed;
  attempt: number;
  /** Times this candidate started leading. */
  terms: number;
  lastError: string | null;
}

export interface LeaderElectionInput {
  identity: string;
  timing?: Partial<LeaderElectionTiming>;
}

const isCurrent = (context: LeaderElectionContext, event: LeaderElectionEvent): boolean => event.type === 'leader-election.tried' && event.attempt === context.attempt;

/**
 * A leader-election candidate, as client-go's LeaderElector runs one (Run → acquire → renew).
 *
 * standby — `tryAcquireOrRenew` reads the Lease and takes it when there is none, when it
 *   names nobody, or when its record has not changed for the record's leaseDurationSeconds
 *   as this candidate's own clock measures (observedTime). A failed try waits retryPeriod
 *   and tries again (acquire's JitterUntil, without the jitter). The standby runs no work.
 * leading — entered with `startedLeading` (the "became leader" LeaderElection event, the
 *   component's work starts). Every retryPeriod after a success a renewal starts; it retries
 *   each retryPeriod, and when it has not succeeded within renewDeadline of its start the
 *   candidate stops leading (renew's PollImmediateUntil under the RenewDeadline timeout).
 * lost — `stoppedLeading` (the "stopped leading" event, the work stops). Upstream the process
 *   then exits; here the candidate goes back to standby, a fresh follower with the same
 *   identity.
 * stopped — on `leader-election.stop`, the last state (the actor layer releases a held lease
 *   first; the host stops the actor after).
 *
 * A try is an effect whose answer carries the attempt number; answers of tries the chart has
 * left behind (a renewal that outlived its deadline) are ignored.
 */
export const leaderElectionMachine = setup({
  types: {
    context: {} as LeaderElectionContext,
    events: {} as LeaderElectionEvent,
    input: {} as LeaderElectionInput,
  },
  guards: {
    /** The answer to the try in flight (not a late one). */
    current: ({ context, event }) => isCurrent(context, event),
    succeeded: ({ context, event }) => isCurrent(context, event) && event.type === 'leader-election.tried' && event.ok,
  },
  actions: {
    /** Keeps what the try observed of the lock (and why it failed). */
    note: assign(({ context, event }) => {
      assertEvent(event, 'leader-election.tried');
      return { observed: event.observed, lastError: event.ok ? null : (event.reason ?? context.lastError) };
    }),
    newTerm: assign({ terms: ({ context }) => context.terms + 1 }),
    nextAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
    /** Runs tryAcquireOrRenew with the observation; ends with `leader-election.tried` carrying `attempt`. */
    tryAcquireOrRenew: (_, _p: { attempt: number; observed: Observed }) => {},
    /** The "became leader" event; the component's work starts. */
    startedLeading: () => {},
    /** The "stopped leading" event; the component's work stops. */
    stoppedLeading: () => {},
    /** Releases the lease if this candidate holds it (ReleaseOnCancel), on a clean stop. */
    release: (_, _p: { observed: Observed }) => {},
  },
  delays: {
    retryPeriod: ({ context }) => context.timing.retryPeriodMs,
    renewDeadline: ({ context }) => context.timing.renewDeadlineMs,
  },
}).createMachine({
  id: 'leader-election',
  context: ({ input }) => ({
    identity: input.identity,
    timing: { ...DEFAULT_LEADER_ELECTION_TIMING, ...input.timing },
    observed: { record: null, raw: '', at: 0 },
    attempt: 0,
    terms: 0,
    lastError: null,
  }),
  initial: 'standby',
  states: {
    standby: {
      initial: 'trying',
      on: { 'leader-election.stop': '#leader-election.stopped' },
      states: {
        trying: {
          entry: ['nextAttempt', { type: 'tryAcquireOrRenew', params: ({ context }) => ({ attempt: context.attempt, observed: context.observed }) }],
          on: {
            'leader-election.tried': [
              { guard: 'succeeded', target: '#leader-election.leading', actions: ['note', 'newTerm'] },
              { guard: 'current', target: 'waiting', actions: 'note' },
            ],
          },
        },
        waiting: { after: { retryPeriod: 'trying' } },
      },
    },
    leading: {
      entry: 'startedLeading',
      initial: 'renewed',
      on: {
        'leader-election.stop': { target: '#leader-election.stopped', actions: [{ type: 'stoppedLeading' }, { type: 'release', params: ({ context }) => ({ observed: context.observed }) }] },
      },
      states: {
        renewed: { after: { retryPeriod: 'renewing' } },
        renewing: {
          initial: 'trying',
          after: { renewDeadline: '#leader-election.lost' },
          states: {
            trying: {
              entry: ['nextAttempt', { type: 'tryAcquireOrRenew', params: ({ context }) => ({ attempt: context.attempt, observed: context.observed }) }],
              on: {
                'leader-election.tried': [
                  { guard: 'succeeded', target: '#leader-election.leading.renewed', actions: 'note' },
                  { guard: 'current', target: 'retrying', actions: 'note' },
                ],
              },
            },
            retrying: { after: { retryPeriod: 'trying' } },
          },
        },
      },
    },
    lost: {
      entry: 'stoppedLeading',
      always: 'standby',
    },
    // Not final: the release and the "stopped leading" Event are still in flight here, and a
    // finished actor's port is closed at once (its requests answered 503 while the apiserver
    // still applies them). The host stops the actor once `resign()` saw both answered.
    stopped: {},
  },
});

export type LeaderElectionMachine = typeof leaderElectionMachine;
