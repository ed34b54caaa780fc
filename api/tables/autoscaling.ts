/**
 * The HorizontalPodAutoscaler's columns (printHorizontalPodAutoscaler): NAME REFERENCE TARGETS
 * MINPODS MAXPODS REPLICAS AGE, TARGETS as formatHPAMetrics writes it ("cpu: 50%/80%").
 */
import type { JsonObject } from '../json.ts';
import { since } from './duration.ts';
import { arr, createdOf, nameOf, obj, specOf, statusOf, str } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table.ts';

const UNKNOWN = '<unknown>';

/** A quantity as the status holds it (already canonical), or <unknown>. */
const q = (x: unknown): string => (x === undefined || x === null ? UNKNOWN : String(x));

/** "current/target" of one metric spec against the status at the same index. */
function formatMetric(spec: JsonObject, status: JsonObject | undefined): string {
  const type = str(spec.type);
  const source = (name: string) => obj(spec[name]);
  const current = (name: string) => (status && status[name] !== undefined ? obj(obj(status[name]).current) : undefined);
  switch (type) {
    case 'External':
    case 'Object': {
      const key = type === 'External' ? 'external' : 'object';
      const target = obj(source(key).target);
      if (target.averageValue !== undefined) return `${q(current(key)?.averageValue)}/${String(target.averageValue)} (avg)`;
      return `${q(current(key)?.value)}/${q(target.value)}`;
    }
    case 'Pods':
      return `${q(current('pods')?.averageValue)}/${q(obj(source('pods').target).averageValue)}`;
    case 'Resource':
    case 'ContainerResource': {
      const key = type === 'Resource' ? 'resource' : 'containerResource';
      const src = source(key);
      const target = obj(src.target);
      const name = type === 'Resource' ? str(src.name) : `${str(src.name)} (on ${str(src.container)})`;
      if (target.averageValue !== undefined) return `${name}: ${q(current(key)?.averageValue)}/${String(target.averageValue)}`;
      const now = current(key)?.averageUtilization;
      const cur = typeof now === 'number' ? `${now}%` : UNKNOWN;
      const tgt = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
      return `${name}: ${cur}/${tgt}`;
    }
    default:
      return '<unknown type>';
  }
}

/** formatHPAMetrics: at most two metrics, then "+ N more...". */
export function formatHpaMetrics(specs: readonly JsonObject[], statuses: readonly JsonObject[]): string {
  if (specs.length === 0) return '<none>';
  const list = specs.map((s, i) => formatMetric(s, statuses[i]));
  if (list.length > 2) return `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...`;
  return list.join(', ');
}

export const horizontalPodAutoscalerPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Reference', 'string', 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.'),
    col('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).'),
    col('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    col('MaxPods', 'integer', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
    col('Replicas', 'integer', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
    AGE_COLUMN,
  ],
  cells(o, now) {
    const spec = specOf(o);
    const status = statusOf(o);
    const ref = obj(spec.scaleTargetRef);
    const min = typeof spec.minReplicas === 'number' ? String(spec.minReplicas) : '<unset>';
    const targets = formatHpaMetrics(arr(spec.metrics).map(obj), arr(status.currentMetrics).map(obj));
    return [nameOf(o), `${str(ref.kind)}/${str(ref.name)}`, targets, min, spec.maxReplicas ?? 0, status.currentReplicas ?? 0, since(createdOf(o), now)];
  },
};
