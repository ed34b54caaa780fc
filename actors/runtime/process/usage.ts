/**
 * A process container's usage, read from /proc as cAdvisor reads a cgroup's: the CPU time of
 * every process of its group (the bwrap sandbox and all below it) — utime + stime, plus
 * cutime + cstime for the children they already reaped — and the working set as the sum of
 * their resident set sizes. Linux' USER_HZ is 100 ticks a second on every architecture
 * Node runs on (the kernel reports times in it whatever CONFIG_HZ is).
 */
import { readFileSync } from 'node:fs';
import { descendants } from './group.ts';

const TICK_NS = 10_000_000;
const PAGE_BYTES = 4096;

/** CPU core-nanoseconds and RSS bytes of one process; null once it is gone. */
function processUsage(pid: number): { cpuNs: number; rssBytes: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm) ": state is field 3, utime 14, stime 15, cutime 16, cstime 17, rss 24.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i] ?? 0), 0);
    return { cpuNs: ticks * TICK_NS, rssBytes: Number(f[21] ?? 0) * PAGE_BYTES };
  } catch {
    return null;
  }
}

/** The summed usage of process group `pgid` and every process below its leader. */
export function groupUsage(pgid: number): { cpuCoreNanoSeconds: number; memoryWorkingSetBytes: number } {
  let cpu = 0;
  let rss = 0;
  for (const pid of [pgid, ...descendants(pgid)]) {
    const u = processUsage(pid);
    if (!u) continue;
    cpu += u.cpuNs;
    rss += u.rssBytes;
  }
  return { cpuCoreNanoSeconds: cpu, memoryWorkingSetBytes: rss };
}
