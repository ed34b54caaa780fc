/**
 * The downward API's values (pkg/fieldpath and kubelet's podFieldSelectorRuntimeValue /
 * ExtractContainerResourceValue), shared by env vars and downwardAPI volume files.
 * Errors are kubelet's messages.
 */
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity, toMilli, toUnits, type Quantity } from '../../../api/quantity.ts';

/** A value, or the error text kubelet would report. */
export type Value = { ok: true; value: string } | { ok: false; error: string };

const value = (v: string): Value => ({ ok: true, value: v });
const error = (e: string): Value => ({ ok: false, error: e });

/** What the kubelet knows of the pod's addresses when it builds a container. */
export interface PodAddresses {
  hostIPs: readonly string[];
  podIPs: readonly string[];
}

/** FormatMap: `key="value"` lines in key order. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}

/** SplitMaybeSubscriptedPath: `metadata.labels['app']` → path and subscript. */
function splitSubscript(fieldPath: string): { path: string; subscript: string } | null {
  if (!fieldPath.endsWith("']")) return null;
  const i = fieldPath.indexOf("['");
  return i < 0 ? null : { path: fieldPath.slice(0, i), subscript: fieldPath.slice(i + 2, -2) };
}

/** ExtractFieldPathAsString over a pod's metadata. */
export function extractFieldPath(pod: Pod, fieldPath: string): Value {
  const m = pod.metadata ?? {};
  const sub = splitSubscript(fieldPath);
  if (sub) {
    if (sub.path === 'metadata.annotations') return value(m.annotations?.[sub.subscript] ?? '');
    if (sub.path === 'metadata.labels') return value(m.labels?.[sub.subscript] ?? '');
    return error(`fieldPath ${JSON.stringify(fieldPath)} does not support subscript`);
  }
  switch (fieldPath) {
    case 'metadata.annotations': return value(formatMap(m.annotations));
    case 'metadata.labels': return value(formatMap(m.labels));
    case 'metadata.name': return value(m.name ?? '');
    case 'metadata.namespace': return value(m.namespace ?? '');
    case 'metadata.uid': return value(m.uid ?? '');
  }
  return error(`unsupported fieldPath: ${fieldPath}`);
}

/** podFieldSelectorRuntimeValue: an env var's fieldRef. */
export function podFieldValue(ref: ObjectFieldSelector, pod: Pod, addr: PodAddresses): Value {
  switch (ref.fieldPath) {
    case 'spec.nodeName': return value(pod.spec?.nodeName ?? '');
    case 'spec.serviceAccountName': return value(pod.spec?.serviceAccountName ?? '');
    case 'status.hostIP': return value(addr.hostIPs[0] ?? '');
    case 'status.hostIPs': return value(addr.hostIPs.join(','));
    case 'status.podIP': return value(addr.podIPs[0] ?? '');
    case 'status.podIPs': return value(addr.podIPs.join(','));
  }
  return extractFieldPath(pod, ref.fieldPath);
}

/**
 * ExtractContainerResourceValue, the limits already defaulted to the node's allocatable
 * (defaultPodLimitsForDownwardAPI). cpu rounds up to the divisor in milli-units, memory and
 * ephemeral-storage in units.
 */
export function resourceFieldValue(ref: ResourceFieldSelector, container: Container, allocatable: Record<string, string>): Value {
  const divisor = ref.divisor === undefined ? null : parseQuantity(String(ref.divisor));
  if (divisor && !divisor.ok) return error(divisor.status.message);
  const [kind, name = ''] = ref.resource.split(/\.(.*)/s) as [string, string?];
  const res = container.resources ?? {};
  const given = kind === 'limits' ? (res.limits?.[name] ?? allocatable[name]) : kind === 'requests' ? (res.requests?.[name] ?? '0') : undefined;
  const standard = name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-');
  if (given === undefined || !standard) return error(`unsupported container resource : ${ref.resource}`);
  const q = parseQuantity(String(given ?? '0'));
  if (!q.ok) return error(q.status.message);
  const one: Quantity = { nano: 1_000_000_000n, format: 'DecimalSI' };
  const d = divisor && divisor.value.nano !== 0n ? divisor.value : one;
  if (name === 'cpu') return value(ceilDiv(toMilli(q.value), toMilli(d)));
  return value(ceilDiv(toUnits(q.value), toUnits(d)));
}

function ceilDiv(a: bigint, b: bigint): string {
  if (b === 0n) return '0';
  return String(Math.ceil(Number(a) / Number(b)));
}
