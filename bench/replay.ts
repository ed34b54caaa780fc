/**
 * Replay verification speed: how many log entries per second `replay --verify` checks,
 * and how much faster than the recorded run's own (virtual) time span that is.
 *
 * Usage: npm run bench -- replay [--log FILE] [--rounds 3]
 *   Default log: the golden log (spec/fixtures/golden/cluster.log: a whole cluster of
 *   32 actors over 285 s of virtual time).
 * Prints progress on stderr and one JSON line last on stdout: the best round's wall time and
 * the least CPU time of a round (`entries_verified_per_cpu_s`, the steadier figure on a busy machine).
 */
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defaultRegistry } from '../actors/replay/builtins.ts';
import { loadLogs } from '../actors/replay/merge.ts';
import { runReplay } from '../actors/replay/replayer.ts';

/** The golden log is a data file the bench reads; the scenario code that records it stays in spec/. */
const GOLDEN_LOG = fileURLToPath(new URL('../spec/fixtures/golden/cluster.log', import.meta.url));

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const file = argValue('log') ?? GOLDEN_LOG;
const rounds = Number(argValue('rounds') ?? 3);
const log = (s: string) => process.stderr.write(`bench replay: ${s}\n`);

const t0 = performance.now();
const { entries, header, warnings } = loadLogs([file]);
const readMs = performance.now() - t0;
if (warnings.length) log(`warnings: ${warnings.join('; ')}`);
const spanS = entries.length ? (entries.at(-1)!.at - entries[0]!.at) / 1000 : 0;
log(`${file}: ${entries.length} entries, ${statSync(file).size} bytes, ${spanS} s recorded, read in ${readMs.toFixed(0)} ms`);

const runs: { ms: number; cpuMs: number; matched: number; actors: number; divergences: number }[] = [];
for (let r = 1; r <= rounds; r++) {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await runReplay(entries, { registry: defaultRegistry(), header });
  const ms = performance.now() - start;
  // CPU time as well as wall time: on a machine shared with other work the wall time waits for the CPU, the CPU time less so.
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  runs.push({ ms, cpuMs, matched: result.matched, actors: result.actors.size, divergences: result.divergences.length });
  log(`round ${r}/${rounds}: ${ms.toFixed(0)} ms (${cpuMs.toFixed(0)} ms CPU), ${result.actors.size} actors, ${result.matched} outputs matched, ${result.divergences.length} divergence(s)`);
}
const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
console.log(
  JSON.stringify({
    bench: 'replay',
    log: file === GOLDEN_LOG ? 'golden' : file,
    entries: entries.length,
    log_bytes: statSync(file).size,
    actors: best.actors,
    outputs_matched: best.matched,
    divergences: best.divergences,
    read_ms: Math.round(readMs),
    verify_ms: Math.round(best.ms),
    entries_verified_per_s: Math.round(entries.length / (best.ms / 1000)),
    verify_cpu_ms: Math.round(Math.min(...runs.map((r) => r.cpuMs))),
    entries_verified_per_cpu_s: Math.round(entries.length / (Math.min(...runs.map((r) => r.cpuMs)) / 1000)),
    load_avg_1m: Math.round(loadavg()[0]! * 100) / 100,
    recorded_span_s: spanS,
    speedup_vs_recorded_time: Math.round(spanS / (best.ms / 1000)),
    rounds,
    anchor: {
      note: "Kubernetes has no replayer; the comparison that matters is the recorded run's own time (1x). Temporal's workflow replayer, the model for --verify, publishes no throughput figure.",
      recorded_time_speedup: 1,
    },
  }),
);
