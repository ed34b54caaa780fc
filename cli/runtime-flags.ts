import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Logger } from '../actors/actor-def.ts';
import { claimRange, POD_RANGES, type RangeKind } from '../actors/address-claims.ts';
import { DEFAULT_CLUSTER_CIDR } from '../actors/kubelet/node-pool.ts';
import { RUNTIME_NAMES, type RuntimeName } from '../actors/kubelet/node-runtimes.ts';
import { imageCatalogue, type ImageCatalogue } from '../actors/runtime/images/catalogue.ts';
import { loadImageMap } from '../actors/runtime/images/user-map.ts';
import { BWRAP_MISSING, findBwrap } from '../actors/runtime/process/sandbox.ts';
import { cidrFlag, CliError, UsageError } from './args.ts';

/** The runtime flags shared by `up` and `node`. */
export const runtimeFlagOptions = {
  'default-runtime': { type: 'string' },
  images: { type: 'string' },
  'cluster-cidr': { type: 'string' },
} as const;

export const RUNTIME_FLAGS_HELP = `  --default-runtime sim|process   the runtime handler of pods without a runtimeClassName (default process
                                  when bubblewrap works on this host, else sim, said at start).
                                  Every node has both: RuntimeClasses "sim" and "process" select them.
                                  process runs real processes in bubblewrap sandboxes (needs bwrap);
                                  sim runs none (for scale)
  --images FILE                   the process runtime's image map: YAML, image name or glob →
                                  {command, args, env} (built in: kubeactor/http-echo, kubeactor/static-files,
                                  kubeactor/tcp-echo, busybox, alpine)
  --cluster-cidr CIDR             the pods' address range, a /24 per node (default ${DEFAULT_CLUSTER_CIDR}:
                                  on loopback, so process pods can bind their IP; when another kubeactor
                                  on this host holds it, the next free /16 below, kept per data dir)`;

export interface RuntimeFlags {
  'default-runtime'?: string | undefined;
  images?: string | undefined;
  'cluster-cidr'?: string | undefined;
}

export interface RuntimeChoice {
  defaultRuntime: RuntimeName;
  /** Why the default is sim though none was asked for (bubblewrap missing or not working), to be said once. */
  fallback?: string;
  images: ImageCatalogue;
  clusterCIDR: string;
}

/**
 * Reads the runtime flags. A `process` default asked for without bubblewrap is refused here,
 * saying what to install; without the flag the default is `process` when bubblewrap runs a
 * sandbox on this host (a new user's first Deployment is real), else `sim` with the reason.
 */
export function runtimeFrom(values: RuntimeFlags): RuntimeChoice {
  const asked = values['default-runtime'];
  if (asked !== undefined && !(RUNTIME_NAMES as readonly string[]).includes(asked)) throw new UsageError(`--default-runtime must be sim or process, got "${asked}"`);
  if (asked === 'process' && !findBwrap()) throw new CliError(`--default-runtime process: ${BWRAP_MISSING}`);
  const unusable = asked === undefined ? bwrapUnusable() : undefined;
  const name = asked ?? (unusable ? 'sim' : 'process');
  let images: ImageCatalogue;
  try {
    images = imageCatalogue(values.images ? loadImageMap(resolve(values.images)) : []);
  } catch (err) {
    throw new UsageError(`--images: ${(err as Error).message}`);
  }
  const clusterCIDR = cidrFlag('cluster-cidr', values['cluster-cidr']) ?? DEFAULT_CLUSTER_CIDR;
  return { defaultRuntime: name as RuntimeName, images, clusterCIDR, ...(unusable ? { fallback: `pods default to the sim runtime (no processes): ${unusable}` } : {}) };
}

/** Why bubblewrap cannot sandbox here (missing, or refused by the kernel), undefined when it can. */
function bwrapUnusable(): string | undefined {
  const bwrap = findBwrap();
  if (!bwrap) return BWRAP_MISSING;
  const r = spawnSync(bwrap, ['--ro-bind', '/', '/', '--unshare-pid', '--die-with-parent', 'true'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? undefined : `bubblewrap cannot make a sandbox on this host: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`;
}

/**
 * A range of addresses this process binds for `dataDir` (the pods', the load balancers'):
 * claimed host-wide so that two clusters on one host do not share them
 * (actors/address-claims.ts); given back at exit.
 */
export function claimAddresses(kind: RangeKind, asked: string | undefined, dataDir: string, warn: (line: string) => void): string {
  const range = claimRange(kind, dataDir, asked);
  if (range.conflict) warn(range.conflict);
  process.once('exit', range.release);
  return range.cidr;
}

/** The pod range of the nodes this process runs with `dataDir` (see {@link claimAddresses}). */
export const claimClusterCidr = (values: RuntimeFlags, dataDir: string, warn: (line: string) => void): string =>
  claimAddresses(POD_RANGES, values['cluster-cidr'], dataDir, warn);

/** The process runtimes' log: each distinct line once (every node would say the same about cgroups). */
export function runtimeLog(say: (line: string) => void, warn: (line: string) => void): Logger {
  const said = new Set<string>();
  const once = (print: (l: string) => void) => (msg: string, fields?: Record<string, unknown>) => {
    const line = fields ? `${msg} ${JSON.stringify(fields)}` : msg;
    if (said.has(line)) return;
    said.add(line);
    print(`process runtime: ${line}`);
  };
  return { info: once(say), warn: once(warn), error: once(warn) };
}
