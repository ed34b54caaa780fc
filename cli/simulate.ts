import { durationFlag, intFlag, parse, UsageError } from './args.ts';
import { fmt, PLANTS, simulate, type Plant, type SimulateOptions, type SimulateResult } from '../actors/simulate/harness.ts';
import { loadScenario } from '../actors/simulate/scenario-dir.ts';
import { FAULT_KINDS, parseFaultKinds } from '../machines/simulate/faults.ts';
import { INVARIANTS } from '../machines/simulate/invariants.ts';

export const SIMULATE_HELP = `kubeactor simulate [options]

Runs a whole cluster (memory kv, apiserver, scheduler, controllers, sim kubelets and pods) in
this process on a virtual clock, as fast as the CPU allows; applies a scenario; injects faults
chosen by the seed; checks invariants as it runs. On a violation it stops, prints the seed, the
invariant, the virtual time and the log position, writes the recording and exits 1. The same
seed (and options) always makes the same run and the same log, byte for byte.

  --seed N               the run's seed (default 1)
  --seeds A..B           run every seed from A to B and print a summary (a soak)
  --duration D           virtual time to run (default 2h); faults stop D minus --converge-within in
  --converge-within D    after the faults stop, every Deployment, StatefulSet, DaemonSet and Job
                         must converge within this (default 10m, at most half the duration)
  --nodes N              sim nodes (default 10)
  --scenario DIR         manifests (*.yaml) and an actions file (DIR/actions); default: the built-in
                         scenario (Deployments with a PDB, a StatefulSet, a DaemonSet, a Job; scale,
                         rollout, drain, delete every 20 minutes)
  --faults LIST          fault kinds, comma-separated, or all (default) or none:
                         ${FAULT_KINDS.join(', ')}
  --fault-gap D          mean virtual time between two episodes of one fault kind (default 8m)
  --record FILE          record the run into FILE; without it the run is not recorded, and a
                         violation runs the seed again recorded into kubeactor-simulate-SEED.log
  --plant BUG            test only: plant a known bug (${PLANTS.join(', ')}) to see the simulator find it

Invariants: ${INVARIANTS.join(', ')}.
`;

export interface SimulateIo {
  out(line: string): void;
  err(line: string): void;
}

const stdio: SimulateIo = { out: (l) => void process.stdout.write(`${l}\n`), err: (l) => void process.stderr.write(`${l}\n`) };

/** `kubeactor simulate`: 0 when every run held every invariant, 1 on a violation, 2 on usage errors. */
export async function simulateCommand(argv: string[], io: SimulateIo = stdio): Promise<number> {
  const args = parse(argv, {
    seed: { type: 'string' },
    seeds: { type: 'string' },
    duration: { type: 'string' },
    'converge-within': { type: 'string' },
    nodes: { type: 'string' },
    scenario: { type: 'string' },
    faults: { type: 'string' },
    record: { type: 'string' },
    plant: { type: 'string' },
    'fault-gap': { type: 'string' },
  });
  const v = args.values;
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const durationMs = durationFlag('duration', v.duration, 2 * 3_600_000);
  if (durationMs < 60_000) throw new UsageError('--duration must be at least 1m');
  const nodes = intFlag('nodes', v.nodes, 10);
  if (nodes < 1) throw new UsageError('--nodes must be at least 1');
  let faults;
  try {
    faults = parseFaultKinds(v.faults);
  } catch (err) {
    throw new UsageError(`--faults: ${(err as Error).message}`);
  }
  if (v.plant !== undefined && !(PLANTS as readonly string[]).includes(v.plant)) throw new UsageError(`--plant must be one of ${PLANTS.join(', ')}`);
  let scenario;
  try {
    scenario = v.scenario === undefined ? undefined : loadScenario(v.scenario);
  } catch (err) {
    throw new UsageError(`--scenario: ${(err as Error).message}`);
  }
  const base: Omit<SimulateOptions, 'seed'> = {
    durationMs,
    nodes,
    faults,
    ...(scenario ? { scenario } : {}),
    ...(v['converge-within'] ? { convergeWithinMs: durationFlag('converge-within', v['converge-within'], 0) } : {}),
    ...(v.plant ? { plant: v.plant as Plant } : {}),
    ...(v['fault-gap'] ? { meanGapMs: durationFlag('fault-gap', v['fault-gap'], 0) } : {}),
  };
  if (v.seeds !== undefined) {
    if (v.seed !== undefined || v.record !== undefined) throw new UsageError('--seeds runs many seeds: give neither --seed nor --record');
    const m = /^(\d+)\.\.(\d+)$/.exec(v.seeds);
    if (!m || Number(m[1]) > Number(m[2])) throw new UsageError(`--seeds must be A..B with A <= B, got "${v.seeds}"`);
    return soak(Number(m[1]), Number(m[2]), base, argv, io);
  }
  const seed = intFlag('seed', v.seed, 1);
  const started = performance.now();
  const r = await simulate({ ...base, seed, ...(v.record ? { record: v.record } : {}), say: (l) => io.err(l) });
  report(r, (performance.now() - started) / 1000, argv, io);
  return r.violation ? 1 : 0;
}

function report(r: SimulateResult, wallS: number, argv: string[], io: SimulateIo): void {
  const faults = Object.entries(r.faults).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const speed = r.virtualMs / 1000 / Math.max(wallS, 0.001);
  io.out(`seed ${r.seed}: ${r.violation ? 'VIOLATION' : 'ok'} after ${fmt(r.virtualMs)} of virtual time in ${wallS.toFixed(1)} s (${Math.round(speed)}× real time)`);
  io.out(`  faults: ${faults}; messages delayed ${r.counts.delayed}, lost ${r.counts.lost}; kv writes slowed ${r.counts.kvSlowed}, failed ${r.counts.kvFailed}`);
  io.out(`  scenario actions: ${r.actions.done} done, ${r.actions.failed} refused; ${r.log ? `${r.entries} log entries` : 'not recorded (--record FILE keeps a log; a violation is run again recorded)'}`);
  const v = r.violation;
  if (!v) return;
  const rerun = ['kubeactor simulate', ...argv.filter((a) => !a.startsWith('--seed=')), ...(argv.some((a) => a.startsWith('--seed')) ? [] : ['--seed', String(r.seed)])].join(' ');
  io.out(`  invariant: ${v.invariant}`);
  io.out(`  what:      ${v.message}`);
  io.out(`  when:      ${new Date(v.at).toISOString()} (virtual), bus seq ${v.seq}, log entry ${v.entry}`);
  io.out(`  recording: ${r.log}`);
  io.out(`  reproduce: ${rerun}   (same run, same log bytes)`);
  io.out(`  look:      kubeactor replay ${r.log} --at ${v.entry} --actor 'controller.*'`);
  io.out(`  verify:    kubeactor replay --verify ${r.log}`);
}

async function soak(from: number, to: number, base: Omit<SimulateOptions, 'seed'>, argv: string[], io: SimulateIo): Promise<number> {
  const started = performance.now();
  const failed = new Map<string, number[]>();
  let virtualMs = 0;
  for (let seed = from; seed <= to; seed++) {
    const t = performance.now();
    const r = await simulate({ ...base, seed });
    virtualMs += r.virtualMs;
    const wall = (performance.now() - t) / 1000;
    if (r.violation) {
      failed.set(r.violation.invariant, [...(failed.get(r.violation.invariant) ?? []), seed]);
      io.out(`seed ${seed}: VIOLATION ${r.violation.invariant} at ${fmt(r.virtualMs)} (log entry ${r.violation.entry}, ${r.log}): ${r.violation.message}`);
    } else io.out(`seed ${seed}: ok (${wall.toFixed(1)} s)`);
  }
  const n = to - from + 1;
  const bad = [...failed.values()].reduce((a, s) => a + s.length, 0);
  const wallS = (performance.now() - started) / 1000;
  io.out(`${n} seed(s): ${n - bad} ok, ${bad} violation(s); ${fmt(virtualMs)} of virtual time in ${wallS.toFixed(0)} s`);
  for (const [inv, seeds] of failed) io.out(`  ${inv}: seeds ${seeds.join(', ')}`);
  void argv;
  return bad > 0 ? 1 : 0;
}
