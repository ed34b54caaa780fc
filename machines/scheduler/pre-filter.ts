/**
 * The PreFilter phase (RunPreFilterPlugins): every plugin computes its per-pod state once;
 * a plugin may skip itself, reject the pod outright, or narrow the candidate nodes.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState, Status } from './framework.ts';
import type { NodeInfo } from './node-info.ts';
import type { PluginSet } from './plugins/registry.ts';
import type { Snapshot } from './snapshot.ts';

export type PreFilterOutcome =
  | {
      type: 'ok';
      /** Plugins whose Filter need not run. */
      skipped: Set<string>;
      /** The candidate nodes (all of them unless a plugin narrowed them). */
      nodes: readonly NodeInfo[];
      /** Plugins that narrowed the nodes; the others are absent with their names in the reason. */
      narrowedBy: string[];
    }
  | { type: 'rejected'; status: Status; plugins: string[] }
  | { type: 'error'; message: string };

export function runPreFilters(plugins: PluginSet, state: CycleState, pod: Pod, snapshot: Snapshot): PreFilterOutcome {
  const skipped = new Set<string>();
  const narrowedBy: string[] = [];
  let names: Set<string> | undefined;
  for (const p of plugins.all) {
    const r = p.preFilter?.(state, pod) ?? null;
    if (r === null) continue;
    if (r === 'skip') {
      skipped.add(p.name);
    } else if ('code' in r) {
      if (r.code === 'Error') return { type: 'error', message: r.reasons.join(', ') };
      return { type: 'rejected', status: r, plugins: [...narrowedBy, p.name] };
    } else {
      if (r.skip) skipped.add(p.name);
      narrowedBy.push(p.name);
      names = names ? new Set([...names].filter((n) => r.nodeNames.has(n))) : new Set(r.nodeNames);
      if (names.size === 0) {
        const reason = narrowedBy.length === 1
          ? `node(s) didn't satisfy plugin ${narrowedBy[0]}`
          : `node(s) didn't satisfy plugin(s) [${narrowedBy.join(' ')}] simultaneously`;
        return { type: 'rejected', status: { code: 'UnschedulableAndUnresolvable', plugin: p.name, reasons: [reason] }, plugins: narrowedBy };
      }
    }
  }
  if (!names) return { type: 'ok', skipped, nodes: snapshot.nodes, narrowedBy };
  const nodes: NodeInfo[] = [];
  for (const n of names) {
    const ni = snapshot.get(n);
    if (ni) nodes.push(ni);
  }
  return { type: 'ok', skipped, nodes, narrowedBy };
}

/** The status of nodes a PreFilterResult left out (Go prints the sorted plugin list as [A B]). */
export function narrowedStatus(narrowedBy: readonly string[]): Status {
  const sorted = [...narrowedBy].sort();
  return {
    code: 'UnschedulableAndUnresolvable',
    plugin: sorted[0] ?? '',
    reasons: [`node(s) didn't satisfy plugin(s) [${sorted.join(' ')}]`],
  };
}
