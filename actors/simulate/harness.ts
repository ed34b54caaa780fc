/**
 * One simulation run: a whole cluster (memory kv, apiserver, scheduler, every default
 * controller, sim kubelets and their pods) in this process on a virtual clock, driven as fast
 * as the CPU allows; a scenario's manifests and actions; faults from the seed; invariants
 * checked as it runs. The run is recorded from its first actor start; the recording is kept
 * when asked for and always on a violation, and the same seed writes the same bytes.
 *
 * Time: faults and scenario actions fall within the fault window (the duration less the
 * convergence bound); after it the cluster has the bound to converge, then the workloads and
 * the garbage collector are checked.
 */
import { rmSync } from 'node:fs';
import { InProcessBus } from '../../bus/inprocess.ts';
import type { Clock } from '../../base/clock.ts';
import { VirtualClock } from '../clock/virtual.ts';
import { ActorHost } from '../host.ts';
import { startControlPlaneCore } from '../apiserver/start.ts';
import { startControllers } from '../controllers/start.ts';
import { PLANTED_SKIP_DELETE_RESYNC, PLANTED_SKIP_REQUEUE } from '../controllers/actor.ts';
import { NodeAddressPool, startSimNodes, stopKubelet } from '../kubelet/index.ts';
import { MemoryKv } from '../kv/memory.ts';
import { silentLogger } from '../logger.ts';
import { seedFor, seededRandom } from '../random.ts';
import { startRecorder } from '../record/recorder.ts';
import { simRuntime } from '../runtime/sim.ts';
import { startScheduler } from '../scheduler/start.ts';
import { FAULT_KINDS, planFaults, type FaultEpisode, type FaultKind } from '../../machines/simulate/faults.ts';
import { defaultScenario } from '../../machines/simulate/default-scenario.ts';
import type { Scenario } from '../../machines/simulate/scenario.ts';
import { Checker, type Violation } from './checker.ts';
import { FaultyBus } from './faulty-bus.ts';
import { FaultyKv } from './faulty-kv.ts';
import { Injector } from './injector.ts';
import { Operator } from './operator.ts';
import { RunningPods } from './running-pods.ts';
import { onClock } from './replayable.ts';

/** Bugs a simulation can plant on purpose, to show it finds them (specs only). */
export const PLANTS = ['skip-requeue', 'skip-delete-resync'] as const;
export type Plant = (typeof PLANTS)[number];

export interface SimulateOptions {
  seed: number;
  /** Virtual ms the run lasts (default 2 h). */
  durationMs?: number;
  nodes?: number;
  /** Default: the default scenario. */
  scenario?: Scenario;
  /** Default: every kind. */
  faults?: readonly FaultKind[];
  /** Where the recording goes; without it, a violation's recording goes to `violationLog`. */
  record?: string;
  /** Where a violation's recording goes when `record` is not given (default `kubeactor-simulate-<seed>.log`). */
  violationLog?: string;
  /** After the faults stop, the time every workload has to converge (default 10 min, at most half the run). */
  convergeWithinMs?: number;
  /** Mean virtual time between two episodes of one fault kind (default 8 min). */
  meanGapMs?: number;
  plant?: Plant;
  /** Progress lines. */
  say?: (line: string) => void;
}

export interface SimulateResult {
  seed: number;
  violation: Violation | null;
  /** Virtual ms simulated (less than the duration when a violation stopped the run). */
  virtualMs: number;
  /** The recording's path, if one was kept. */
  log?: string;
  /** Log entries written (0 when the run was not recorded). */
  entries: number;
  /** Fault episodes started, by kind. */
  faults: Partial<Record<FaultKind, number>>;
  /** Messages delayed and lost, txns slowed and failed. */
  counts: { delayed: number; lost: number; kvSlowed: number; kvFailed: number };
  /** Scenario actions that completed, and those that ended in an error Status. */
  actions: { done: number; failed: number };
  /** How many times each invariant was evaluated. */
  checks: Record<string, number>;
}

const TICK_MS = 1000;
const CHECK_EVERY_MS = 10_000;

/** A clock `skew()` ms off `base` (timers are unaffected: a skewed clock still counts durations right). */
function skewed(base: Clock, skew: () => number): Clock {
  return { now: () => base.now() + skew(), setTimeout: (fn, ms, owner) => base.setTimeout(fn, ms, owner), clearTimeout: (id) => base.clearTimeout(id) };
}

/**
 * Runs the simulation. Without `record` it runs unrecorded — recording costs about as much CPU
 * as the cluster itself — and, on a violation, runs the seed again recorded: the same seed
 * makes the same run (the recorder only observes), so the second run stops at the same
 * violation and writes its log to `violationLog`.
 */
export async function simulate(o: SimulateOptions): Promise<SimulateResult> {
  if (o.record !== undefined) return run(o, o.record);
  const first = await run(o, null);
  if (first.violation === null) return first;
  const file = o.violationLog ?? `kubeactor-simulate-${o.seed}.log`;
  o.say?.(`seed ${o.seed}: running it again, recorded, for the violation's log`);
  const again = await run({ ...o, say: () => {} }, file);
  if (again.violation === null || again.violation.invariant !== first.violation.invariant || again.violation.seq !== first.violation.seq) {
    o.say?.(`seed ${o.seed}: the recorded run differs from the first (${again.violation ? `${again.violation.invariant} at seq ${again.violation.seq}` : 'no violation'}): a nondeterminism to report`);
  }
  return again;
}

/** One run; recorded to `file` (kept only when asked for or on a violation), or not at all. */
async function run(o: SimulateOptions, file: string | null): Promise<SimulateResult> {
  const say = o.say ?? (() => {});
  const durationMs = o.durationMs ?? 2 * 3_600_000;
  const nodeCount = o.nodes ?? 10;
  const bound = o.convergeWithinMs ?? Math.min(10 * 60_000, Math.floor(durationMs / 2));
  const windowMs = durationMs - bound;
  const scenario = o.scenario ?? defaultScenario(windowMs, nodeCount);
  const kinds = o.faults ?? FAULT_KINDS;

  const clock = new VirtualClock();
  const t0 = clock.now();
  const inner = new InProcessBus({ clock });
  const bus = new FaultyBus(inner, clock);
  const skews = new Map<string, number>();
  const host = new ActorHost({
    bus,
    clock,
    seed: o.seed,
    logger: silentLogger,
    clockFor: (address, c) => (address.startsWith('kubelet.') ? skewed(c, () => skews.get(address) ?? 0) : c),
  });
  const recorder = file === null ? null : startRecorder({ bus, host, clock, seed: o.seed, file, clusterId: `simulate-${o.seed}`, identity: { name: 'simulate', pid: 0, hostname: 'simulate' }, drainMs: 0 });
  const backend = new FaultyKv(new MemoryKv(), clock, kinds.some((k) => k === 'kv-slow' || k === 'kv-fail' || k === 'kv-restart'));
  const running = new RunningPods();
  const checker = new Checker(clock, backend, running, () => recorder?.count ?? 0);
  backend.onApplied = (ops, rev) => checker.applied(ops, rev);
  const untap = checker.attach(bus);

  const core = startControlPlaneCore({ bus, host, backend });
  await core.ready();
  const scheduler = startScheduler(host);
  // A planted bug is a test-only controller option, recorded with the controller's config so a replay has it too:
  // skip-requeue in the ReplicaSet controller, skip-delete-resync in the StatefulSet controller.
  const planted: Record<string, Record<string, unknown>> | undefined = o.plant === 'skip-requeue' ? { replicaset: { [PLANTED_SKIP_REQUEUE]: true } } : o.plant === 'skip-delete-resync' ? { statefulset: { [PLANTED_SKIP_DELETE_RESYNC]: true } } : undefined;
  const controllers = startControllers(host, planted ? { options: planted } : {});
  const runtime = onClock(running.wrap(simRuntime(clock)), clock);
  const pool = new NodeAddressPool();
  const nodes = await startSimNodes({ host, clock, count: nodeCount, startIndex: 1, runtime, pool });
  const port = bus.register('edge.simulate', () => {});
  const operator = new Operator(port, clock, scenario);

  // Separate streams: the plan, and the per-message choices (drawn in message order).
  const injector = new Injector(seededRandom(seedFor(o.seed, 'simulate.messages')), {
    host,
    clock,
    // The recording carries the offset (a `clock` entry), so a replay skews the replayed kubelet's clock alike.
    skew: (kubelet, offsetMs) => {
      if (offsetMs === 0) skews.delete(kubelet);
      else skews.set(kubelet, offsetMs);
      recorder?.clockOffset(kubelet, offsetMs);
    },
    silence: (node) => stopKubelet(host, node),
    // Listing the Nodes first keeps the node's InternalIP and pod range: a rebooted node adopts its Node.
    // The list may fail under faults (an apiserver restarting): a booting node tries again 5 s later.
    revive: async (node) => {
      for (;;) {
        try {
          await startSimNodes({ host, clock, count: 1, startIndex: Number(node.slice('node-'.length)), runtime, pool, lister: port });
          return;
        } catch {
          await new Promise<void>((r) => clock.setTimeout(r, 5000));
        }
      }
    },
  });
  injector.origin = t0;
  const crashable = host.list().filter((a) => a !== 'apiserver' && a !== 'kv' && !a.startsWith('apiserver.'));
  const plan = planFaults(seededRandom(seedFor(o.seed, 'simulate.plan')), { kinds, windowMs, nodes: nodes.names, crashable, ...(o.meanGapMs ? { meanGapMs: o.meanGapMs } : {}) });
  bus.setDecision((m) => injector.bus(m));
  backend.setDecision(() => injector.kv());
  say(`seed ${o.seed}: ${nodeCount} nodes, ${fmt(durationMs)} (faults until ${fmt(windowMs)}, then ${fmt(bound)} to converge), ${plan.length} fault episode(s), ${scenario.actions.length} action(s)`);

  // The timeline: scenario actions, episode starts and ends, in time order (stable).
  type Step = { at: number; run: () => void };
  const steps: Step[] = [];
  for (const a of scenario.actions) steps.push({ at: a.at, run: () => void operator.run(a.action).catch((err: unknown) => operator.failures.push(String(err))) });
  for (const e of plan) {
    steps.push({ at: e.at, run: () => injector.start(e) });
    if (e.forMs > 0) steps.push({ at: e.at + e.forMs, run: () => void injector.end(e) });
  }
  steps.sort((a, b) => a.at - b.at);

  void operator.apply(scenario.manifests);
  let k = 0;
  let lastCheck = 0;
  let elapsed = 0;
  while (elapsed < durationMs && checker.violation === null) {
    const next = Math.min(elapsed + TICK_MS, durationMs, steps[k]?.at ?? Infinity);
    await clock.advanceTo(t0 + next);
    elapsed = next;
    while (k < steps.length && steps[k]!.at <= elapsed) steps[k++]!.run();
    if (elapsed - lastCheck >= CHECK_EVERY_MS) {
      lastCheck = elapsed;
      await checker.tick();
    }
  }
  if (checker.violation === null) {
    await checker.tick();
    checker.settled();
  }
  const violation = checker.violation;
  await clock.advance(0);
  // What the faulty bus still holds is never delivered: the log records it lost (see FaultyBus.loseHeld).
  bus.loseHeld();
  await recorder?.stop();
  untap();
  port.close();
  nodes.stop();
  controllers.stop();
  scheduler.stop();
  core.stop();
  host.stopAll();
  await backend.close();
  await bus.close();
  const keep = file !== null && (violation !== null || o.record !== undefined);
  if (file !== null && !keep) rmSync(file, { force: true });
  if (violation) say(`seed ${o.seed}: VIOLATION ${violation.invariant} at ${fmt(violation.at - t0)} (seq ${violation.seq}): ${violation.message}`);
  return {
    seed: o.seed,
    violation: violation && { ...violation },
    virtualMs: elapsed,
    ...(keep && file !== null ? { log: file } : {}),
    entries: recorder?.count ?? 0,
    faults: { ...injector.started },
    counts: { delayed: bus.counts.delayed, lost: bus.counts.lost, kvSlowed: backend.counts.slowed, kvFailed: backend.counts.failed },
    actions: { done: operator.done, failed: operator.failures.length },
    checks: { ...checker.checks },
  };
}

/** Virtual ms as `1h02m03s`. */
export function fmt(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}h${String(m).padStart(2, '0')}m${String(s % 60).padStart(2, '0')}s`;
}

export type { FaultEpisode };
