/**
 * `kubeactor up --role …`: which components a process runs, and the scheduler and
 * controller-managers under leader election (one Lease each in kube-system, as upstream:
 * kube-scheduler, kube-controller-manager, cloud-controller-manager). A role process on NATS
 * runs in as many copies as wanted: the apiserver role serves requests, the others wait as
 * standbys until their candidate leads.
 */
import { randomBytes } from 'node:crypto';
import type { ActorHost } from '../actors/host.ts';
import { informerFactory } from '../actors/informers/actor.ts';
import { startScheduler } from '../actors/scheduler/index.ts';
import { selectControllers, startControllers } from '../actors/controllers/start.ts';
import type { ClientLimits } from '../actors/client/rate-limit.ts';
import { candidateIdentity, startLeaderElected, type LeaderElected } from '../actors/leader-election/start.ts';
import type { LeaderElectChoice } from './leader-elect-flags.ts';
import { UsageError } from './args.ts';

export const ROLES = ['all', 'apiserver', 'scheduler', 'controller-manager'] as const;
export type Role = (typeof ROLES)[number];

export function roleFlag(value: string | undefined): Role {
  const v = value ?? 'all';
  if (!(ROLES as readonly string[]).includes(v)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got "${v}"`);
  return v as Role;
}

/** The controllers cloud-controller-manager runs; every other one is kube-controller-manager's. */
const CLOUD_CONTROLLERS = new Set(['cloud-service', 'cloud-node']);

export interface ComponentsOptions {
  /** Which of the scheduler and the controller-managers this process runs. */
  scheduler: boolean;
  controllers: boolean;
  leaderElect: LeaderElectChoice;
  /** The scheduler's client limits. */
  schedulerLimits?: Partial<ClientLimits> | undefined;
  /** --controllers, and what startControllers is given besides (options, client limits). */
  controllerSelection: string;
  controllerOptions: () => Promise<Record<string, Record<string, unknown>>>;
  controllerLimits?: Partial<ClientLimits> | undefined;
  /** A role process's informer address is its own (see informerFactory). */
  ownInformers: boolean;
  say(line: string): void;
}

export interface RunningComponents {
  /** This process's holder identity (every lock it competes for). */
  readonly identity: string;
  readonly elected: readonly LeaderElected[];
  stop(): Promise<void>;
}

/**
 * Starts the scheduler and the two controller-managers, each behind its candidate (or at once
 * with --leader-elect=false). Throws a UsageError for an unknown controller name.
 */
export async function startComponents(host: ActorHost, o: ComponentsOptions): Promise<RunningComponents> {
  const identity = candidateIdentity();
  if (o.ownInformers) informerFactory(host, `informers.${randomBytes(4).toString('hex')}`);
  const base = { leaderElect: o.leaderElect.enabled, namespace: o.leaderElect.namespace, timing: o.leaderElect.timing, identity };
  const said = (lock: string) => (leading: boolean) => o.say(`leader election: ${leading ? `leading ${lock}` : `stopped leading ${lock}, back to standby`} (${identity})`);
  const elected: LeaderElected[] = [];
  if (o.scheduler) {
    elected.push(startLeaderElected(host, {
      ...base,
      name: 'kube-scheduler',
      onTransition: said('kube-scheduler'),
      run: () => startScheduler(host, o.schedulerLimits ? { clientConnection: o.schedulerLimits } : {}),
    }));
  }
  if (o.controllers) {
    let names: string[];
    try {
      names = selectControllers(o.controllerSelection);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const options = await o.controllerOptions();
    const run = (selected: string[]) => () => startControllers(host, { controllers: selected, options, ...(o.controllerLimits ? { clientLimits: o.controllerLimits } : {}) });
    const kcm = names.filter((n) => !CLOUD_CONTROLLERS.has(n));
    const ccm = names.filter((n) => CLOUD_CONTROLLERS.has(n));
    if (kcm.length) elected.push(startLeaderElected(host, { ...base, name: 'kube-controller-manager', onTransition: said('kube-controller-manager'), run: run(kcm) }));
    if (ccm.length) elected.push(startLeaderElected(host, { ...base, name: 'cloud-controller-manager', onTransition: said('cloud-controller-manager'), run: run(ccm) }));
  }
  return {
    identity,
    elected,
    stop: async () => void (await Promise.all(elected.map((e) => e.stop()))),
  };
}
