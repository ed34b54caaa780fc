/**
 * The runtime handlers of one node: `sim` (shared by the process's nodes: it holds no
 * processes) and `process` (one per node: its state directory, reaper and cgroups are the
 * node's), either one the default. A node whose default is `process` builds it at once and
 * refuses to start without bubblewrap; otherwise `process` is built on its first pod.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../base/clock.ts';
import type { Logger } from '../actor-def.ts';
import type { ImageCatalogue } from '../runtime/images/catalogue.ts';
import { processRuntime, type ProcessRuntime } from '../runtime/process/runtime.ts';
import { BWRAP_MISSING } from '../runtime/process/sandbox.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { HandlerRuntime } from './runtimes.ts';
import type { NodeConditionSpec } from '../../machines/kubelet/node.ts';
import type { KubeletOptions } from './config.ts';
import { connectTablePath } from '../kube-proxy/connect-table.ts';

export const RUNTIME_NAMES = ['sim', 'process'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

export interface NodeRuntimeOptions {
  /** Default `sim`. */
  defaultRuntime?: RuntimeName;
  /** The sim runtime the nodes share. */
  sim: Runtime;
  clock: Clock;
  /** Nodes keep their process state in `<dataDir>/nodes/<name>` (default: a new temporary directory). */
  dataDir?: string;
  images?: ImageCatalogue;
  log?: Logger;
}

/**
 * The kubelet options that choose a node's runtimes, and (default `process`) where the node's
 * kube-proxy keeps the connect table its process pods read. Throws when the default is
 * `process` and bwrap is missing.
 */
export function nodeRuntimes(name: string, o: NodeRuntimeOptions): Pick<KubeletOptions, 'runtime' | 'handlers' | 'extraConditions'> & { connectTable?: string } {
  // The node's process state: `<dataDir>/nodes/<name>`, or a temporary directory made once.
  let dir: string | undefined;
  const stateDir = (): string => (dir ??= o.dataDir ? join(o.dataDir, 'nodes', name) : mkdtempSync(join(tmpdir(), `kubeactor-${name}-`)));
  const makeProcess = (connectTable?: string): ProcessRuntime =>
    processRuntime({
      clock: o.clock,
      nodeName: name,
      stateDir: stateDir(),
      ...(o.images ? { images: o.images } : {}),
      ...(o.log ? { log: o.log } : {}),
      ...(connectTable ? { connectTable } : {}),
    });
  const sim = nodeSim(o.sim);
  if ((o.defaultRuntime ?? 'sim') === 'sim') return { runtime: sim, handlers: { process: () => makeProcess() } };
  // Only a node whose pods are processes by default gets a table: a sim node's kube-proxy
  // would write one for nobody.
  const connectTable = connectTablePath(stateDir());
  const proc = makeProcess(connectTable);
  if (!proc.bwrap) throw new Error(`node ${name}: default runtime process: ${BWRAP_MISSING}`);
  return { runtime: proc, handlers: { sim: () => sim }, extraConditions: limitsCondition(proc), connectTable };
}

/**
 * One node's view of the shared sim runtime: it remembers the sandboxes the node started, so
 * that a stopping or restarting kubelet ends them (`shutdown`), as the process runtime ends
 * its processes — a sim pod must not outlive its kubelet either (found by `kubeactor
 * simulate`: a restarted kubelet started its pods again beside the old, still running ones).
 */
export function nodeSim(shared: Runtime): HandlerRuntime {
  const mine = new Set<string>();
  const view: Partial<HandlerRuntime> = {
    runPodSandbox(pod, listener, config) {
      // The shared runtime's own promise goes back: no extra hop, so a kubelet times its steps as without the view.
      const p = shared.runPodSandbox(pod, listener, config);
      void p.then((r) => r.ok && mine.add(r.value.sandboxId));
      return p;
    },
    removePodSandbox(id) {
      mine.delete(id);
      return shared.removePodSandbox(id);
    },
    async shutdown() {
      const ids = [...mine];
      mine.clear();
      await Promise.all(ids.map((id) => shared.stopPodSandbox(id)));
    },
  };
  return new Proxy(shared, { get: (t, k, r) => (k in view ? view[k as keyof HandlerRuntime] : Reflect.get(t, k, r)) }) as HandlerRuntime;
}

/** The node condition that says limits are not enforced (none when they are). */
export function limitsCondition(proc: ProcessRuntime): NodeConditionSpec[] {
  if (proc.cgroups.enforced) return [];
  return [{ type: 'ResourceLimitsNotEnforced', status: 'True', reason: 'NoDelegatedCgroupV2', message: proc.cgroups.reason }];
}
