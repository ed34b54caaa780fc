import { resolve } from 'node:path';
import type { Logger } from '../actors/actor-def.ts';
import { DEFAULT_CLUSTER_CIDR } from '../actors/kubelet/node-pool.ts';
import { RUNTIME_NAMES, type RuntimeName } from '../actors/kubelet/node-runtimes.ts';
import { imageCatalogue, type ImageCatalogue } from '../actors/runtime/images/catalogue.ts';
import { loadImageMap } from '../actors/runtime/images/user-map.ts';
import { BWRAP_MISSING, findBwrap } from '../actors/runtime/process/sandbox.ts';
import { parseCidr } from '../machines/kubelet/cidr.ts';
import { CliError, UsageError } from './args.ts';

/** The runtime flags shared by `up` and `node`. */
export const runtimeFlagOptions = {
  'default-runtime': { type: 'string' },
  images: { type: 'string' },
  'cluster-cidr': { type: 'string' },
} as const;

export const RUNTIME_FLAGS_HELP = `  --default-runtime sim|process   the runtime handler of pods without a runtimeClassName (default sim).
                                  Every node has both: RuntimeClasses "sim" and "process" select them.
                                  process runs real processes in bubblewrap sandboxes (needs bwrap)
  --images FILE                   the process runtime's image map: YAML, image name or glob →
                                  {command, args, env} (built in: kubeactor/http-echo, kubeactor/static-files,
                                  kubeactor/tcp-echo, busybox, alpine)
  --cluster-cidr CIDR             the pods' address range, a /24 per node (default ${DEFAULT_CLUSTER_CIDR}:
                                  on loopback, so process pods can bind their IP)`;

export interface RuntimeFlags {
  'default-runtime'?: string | undefined;
  images?: string | undefined;
  'cluster-cidr'?: string | undefined;
}

export interface RuntimeChoice {
  defaultRuntime: RuntimeName;
  images: ImageCatalogue;
  clusterCIDR: string;
}

/** Reads the runtime flags; a `process` default without bubblewrap is refused here, saying what to install. */
export function runtimeFrom(values: RuntimeFlags): RuntimeChoice {
  const name = values['default-runtime'] ?? 'sim';
  if (!(RUNTIME_NAMES as readonly string[]).includes(name)) throw new UsageError(`--default-runtime must be sim or process, got "${name}"`);
  if (name === 'process' && !findBwrap()) throw new CliError(`--default-runtime process: ${BWRAP_MISSING}`);
  let images: ImageCatalogue;
  try {
    images = imageCatalogue(values.images ? loadImageMap(resolve(values.images)) : []);
  } catch (err) {
    throw new UsageError(`--images: ${(err as Error).message}`);
  }
  const clusterCIDR = values['cluster-cidr'] ?? DEFAULT_CLUSTER_CIDR;
  try {
    parseCidr(clusterCIDR);
  } catch (err) {
    throw new UsageError(`--cluster-cidr: ${(err as Error).message}`);
  }
  return { defaultRuntime: name as RuntimeName, images, clusterCIDR };
}

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
