/**
 * A leader-election candidate at `lease.<name>` (client-go's LeaderElector over a
 * coordination.k8s.io/v1 Lease lock): the chart in machines/leader-election/ with its
 * effects — reading and writing the Lease through the apiserver, the LeaderElection Events
 * on the Lease, and the component's start and stop callbacks.
 */
import type { AnyActorRef } from 'xstate';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { ActorContext, ActorDef } from '../actor-def.ts';
import { EventRecorder } from '../events.ts';
import { ApiClient, isNotFound, targets } from '../client/index.ts';
import { leaderElectionMachine, type LeaderElectionTiming, type TriedEvent } from '../../machines/leader-election/chart.ts';
import { decide, observe, released, recordOfSpec, specOfRecord, wrote, type Observed } from '../../machines/leader-election/record.ts';

/** The namespace of the control plane's lock Leases (--leader-elect-resource-namespace). */
export const LEADER_ELECTION_NAMESPACE = 'kube-system';

/** The candidate's bus address: one per lock, so the apiserver knows which component asks. */
export const leaderElectionAddress = (leaseName: string): string => `lease.${leaseName}`;

export interface LeaderElectionOptions {
  /** The lock Lease (--leader-elect-resource-name): kube-scheduler, kube-controller-manager, cloud-controller-manager. */
  name: string;
  /** Its namespace (default kube-system). */
  namespace?: string;
  /** This candidate's holderIdentity: `<hostname>_<uuid>`, unique per process (see `candidateIdentity`). */
  identity: string;
  timing?: Partial<LeaderElectionTiming>;
  /** The candidate's address (default `lease.<name>`; a spec running two candidates in one process gives the second its own). */
  address?: string;
  /** The Events' source component (default the lock's name). */
  component?: string;
  /** OnStartedLeading: start the component's work. */
  onStartedLeading(): void;
  /** OnStoppedLeading: stop it. */
  onStoppedLeading(): void;
}

/** What the CLI and specs may look at. */
export interface LeaderElectionHandle {
  readonly identity: string;
  /** IsLeader: this candidate leads. */
  isLeader(): boolean;
  /** GetLeader: the holder this candidate last observed ('' when none). */
  leader(): string;
  /** Stops the candidate: a leader stops its work and releases the lock (ReleaseOnCancel). */
  resign(): Promise<void>;
}

export function leaderElectionActor(opts: LeaderElectionOptions, onHandle?: (h: LeaderElectionHandle) => void): ActorDef {
  const namespace = opts.namespace ?? LEADER_ELECTION_NAMESPACE;
  const describe = `${namespace}/${opts.name}`;
  return {
    address: opts.address ?? leaderElectionAddress(opts.name),
    config: { name: opts.name, namespace, identity: opts.identity, ...(opts.timing ? { timing: opts.timing } : {}) },
    // Nothing is addressed to a candidate: it only asks the apiserver.
    toEvent: () => null,
    create(ctx: ActorContext) {
      const api = new ApiClient(ctx.port);
      const events = new EventRecorder({ port: ctx.port, clock: ctx.clock, component: opts.component ?? opts.name });
      const durationSeconds = Math.floor((opts.timing?.leaseDurationMs ?? 15_000) / 1000);
      let lease: Lease | null = null;
      let leading = false;
      let ref: AnyActorRef | undefined;
      let releasing: Promise<unknown> = Promise.resolve();
      // The last LeaderElection Event in flight: a stop waits for it, so it is sent before the
      // actor stops (a recording then holds it inside the actor's life, where a replay makes it too).
      let recording: Promise<unknown> = Promise.resolve();
      onHandle?.({
        identity: opts.identity,
        isLeader: () => leading,
        leader: () => (ref?.getSnapshot().context.observed.record?.holderIdentity as string | undefined) ?? '',
        resign: async () => {
          // A candidate stopped through the host (`host.tell`, recorded) is already in `stopped`; this send is then a no-op.
          if (ref?.getSnapshot().status === 'active') ref.send({ type: 'leader-election.stop' });
          await releasing;
          await recording;
        },
      });
      const record = (what: string): void => {
        // LeaseLock.RecordEvent: "<identity> <what>" on the Lease, reason LeaderElection.
        if (lease) recording = events.record(lease, 'Normal', 'LeaderElection', `${opts.identity} ${what}`);
      };
      const tryOnce = async (observed: Observed): Promise<Omit<TriedEvent, 'type' | 'attempt'> & { held?: boolean }> => {
        const got = await api.get(targets.leases(namespace, opts.name));
        if (!got.ok && !isNotFound(got)) return { ok: false, observed, reason: `error retrieving resource lock ${describe}: ${got.status.message}` };
        const o = got.ok ? observe(observed, recordOfSpec(got.value.spec), ctx.clock.now()) : observed;
        const now = ctx.clock.now();
        const d = decide(opts.identity, durationSeconds, o, got.ok, now);
        if (d.type === 'hold') return { ok: false, held: true, observed: o, reason: `lock is held by ${d.holder} and has not yet expired` };
        const w = d.type === 'create'
          ? await api.create(targets.leases(namespace), { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: opts.name, namespace }, spec: specOfRecord(d.record) })
          : await api.update(targets.leases(namespace, opts.name), { ...(got.ok ? got.value : {}), spec: specOfRecord(d.record) });
        if (!w.ok) return { ok: false, observed: o, reason: `${d.type === 'create' ? 'error initially creating leader election record' : 'Failed to update lock'}: ${w.status.message}` };
        lease = w.value.object;
        return { ok: true, observed: wrote(d.record, ctx.clock.now()) };
      };
      const machine = leaderElectionMachine.provide({
        actions: {
          tryAcquireOrRenew: ({ self }, p) => {
            ref = self;
            tryOnce(p.observed).then(
              (r) => {
                // As client-go logs them: a failed read or write, not a lock that is simply held.
                if (!r.ok && !r.held) ctx.log.warn(r.reason ?? 'failed to acquire or renew', { lease: describe });
                tell(self, { type: 'leader-election.tried', attempt: p.attempt, ok: r.ok, observed: r.observed, ...(r.reason ? { reason: r.reason } : {}) });
              },
              (e: unknown) => tell(self, { type: 'leader-election.tried', attempt: p.attempt, ok: false, observed: p.observed, reason: e instanceof Error ? e.message : String(e) }),
            );
          },
          startedLeading: () => {
            leading = true;
            record('became leader');
            opts.onStartedLeading();
          },
          stoppedLeading: () => {
            if (!leading) return;
            leading = false;
            opts.onStoppedLeading();
            record('stopped leading');
          },
          release: (_, p) => {
            // ReleaseOnCancel: a clean stop hands the lock on at once instead of after leaseDuration.
            if (!lease || p.observed.record?.holderIdentity !== opts.identity) return;
            releasing = api.update(targets.leases(namespace, opts.name), { ...lease, spec: specOfRecord(released(p.observed, ctx.clock.now())) });
          },
        },
      });
      return { machine, input: { identity: opts.identity, ...(opts.timing ? { timing: opts.timing } : {}) } };
    },
  };
}

function tell(self: AnyActorRef, ev: TriedEvent): void {
  if (self.getSnapshot().status === 'active') self.send(ev);
}

/**
 * The candidate, as `replay` rebuilds it from its recorded config: the same tries and Events
 * from the recorded answers; the component it starts and stops is replayed on its own.
 */
export function replayLeaderElectionActor(input: unknown): ActorDef {
  const c = input as { name: string; namespace: string; identity: string; timing?: Partial<LeaderElectionTiming> };
  return leaderElectionActor({ ...c, onStartedLeading: () => {}, onStoppedLeading: () => {} });
}
