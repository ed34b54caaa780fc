/**
 * Resource limits through cgroup v2, where this process may create child cgroups (a
 * delegated subtree, as systemd gives `systemd-run --user --scope` or a container with its
 * own cgroup namespace). Each container gets `<ours>/kubeactor-<node>/<container id>` with
 * memory.max and cpu.max from its limits. On cgroup v1, or without delegation, limits are
 * not enforced; `cgroupSupport` says why, once, for the log and the Node's condition.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceRequirements } from 'kubernetes-types/core/v1.js';
import { parseQuantity, toNumber } from '../../../api/quantity.ts';

export type CgroupSupport = { enforced: true; root: string } | { enforced: false; reason: string };

const ROOT = '/sys/fs/cgroup';

/** Whether limits can be enforced here, and where our cgroups would go. */
export function cgroupSupport(nodeName: string, root = ROOT): CgroupSupport {
  if (!existsSync(join(root, 'cgroup.controllers'))) {
    return { enforced: false, reason: 'this machine has cgroup v1 only (no unified cgroup v2 hierarchy): memory and CPU limits are not enforced' };
  }
  const own = /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
  const parent = join(root, own);
  const controllers = readFileSync(join(parent, 'cgroup.controllers'), 'utf8');
  if (!/\bmemory\b/.test(controllers) || !/\bcpu\b/.test(controllers)) {
    return { enforced: false, reason: `cgroup v2 at ${parent} does not delegate the memory and cpu controllers: limits are not enforced` };
  }
  const dir = join(parent, `kubeactor-${nodeName}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cgroup.subtree_control'), '+memory +cpu');
    return { enforced: true, root: dir };
  } catch (err) {
    return { enforced: false, reason: `cannot create cgroup ${dir} (${(err as Error).message}): memory and CPU limits are not enforced` };
  }
}

/** cpu.max and memory.max values for a container's limits (null: no limit of that kind). */
export function cgroupLimits(resources: ResourceRequirements | undefined): { memoryMax: number | null; cpuMax: string | null } {
  const limit = (name: string): number | null => {
    const v = resources?.limits?.[name];
    if (v === undefined) return null;
    const q = parseQuantity(String(v));
    return q.ok ? toNumber(q.value) : null;
  };
  const mem = limit('memory');
  const cpu = limit('cpu');
  const period = 100_000;
  return { memoryMax: mem === null ? null : Math.ceil(mem), cpuMax: cpu === null ? null : `${Math.max(1000, Math.ceil(cpu * period))} ${period}` };
}

/** Puts `pid` into a new cgroup for `id` with the container's limits; returns its path (or null when there is nothing to limit). */
export function limitProcess(support: CgroupSupport, id: string, pid: number, resources: ResourceRequirements | undefined): string | null {
  if (!support.enforced) return null;
  const { memoryMax, cpuMax } = cgroupLimits(resources);
  if (memoryMax === null && cpuMax === null) return null;
  const dir = join(support.root, id.slice(0, 16));
  mkdirSync(dir, { recursive: true });
  if (memoryMax !== null) {
    writeFileSync(join(dir, 'memory.max'), String(memoryMax));
    writeFileSync(join(dir, 'memory.swap.max'), '0');
  }
  if (cpuMax !== null) writeFileSync(join(dir, 'cpu.max'), cpuMax);
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  return dir;
}

/** Whether the cgroup's OOM killer ended something (memory.events oom_kill > 0): kubelet's OOMKilled. */
export function oomKilled(dir: string | null): boolean {
  if (!dir) return false;
  try {
    return /^oom_kill (\d+)$/m.exec(readFileSync(join(dir, 'memory.events'), 'utf8'))?.[1] !== '0';
  } catch {
    return false;
  }
}

export function removeCgroup(dir: string | null): void {
  if (!dir) return;
  try {
    rmdirSync(dir);
  } catch { /* still busy or gone */ }
}
