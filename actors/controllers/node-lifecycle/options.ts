/**
 * The node lifecycle controller's options, named as kube-controller-manager's flags
 * (`--node-monitor-grace-period=50s`, `--node-eviction-rate=0.1`, …) or as its
 * NodeLifecycleControllerConfiguration fields (nodeMonitorGracePeriod, …). Durations are Go
 * duration strings ("50s", "1m30s", "500ms") or numbers of seconds.
 *
 * Kubernetes 1.32 raised the --node-monitor-grace-period default from 40 s to 50 s
 * (kubernetes/kubernetes#126287), which is the figure issue 6 quotes; 50 s it is.
 */
import { parseGoDuration } from '../../../api/duration.ts';
import type { RateConfig } from '../../../machines/controllers/node-lifecycle/zones.ts';

export interface NodeLifecycleOptions extends RateConfig {
  nodeMonitorGracePeriodMs: number;
  nodeStartupGracePeriodMs: number;
  unhealthyZoneThreshold: number;
}

export const NODE_LIFECYCLE_DEFAULTS: NodeLifecycleOptions = {
  nodeMonitorGracePeriodMs: 50_000,
  nodeStartupGracePeriodMs: 60_000,
  evictionRate: 0.1,
  secondaryEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
};

/** A Go duration string or a number of seconds, in ms; throws on anything else (a negative duration included). */
export function parseDuration(v: unknown, flag: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v * 1000;
  const ms = typeof v === 'string' ? parseGoDuration(v) : null;
  if (ms !== null && ms >= 0) return ms;
  throw new Error(`invalid value ${JSON.stringify(v)} for --${flag}: a duration such as 50s is expected`);
}

function parseNumber(v: unknown, flag: string): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n === 'number' && Number.isFinite(n) && n >= 0) return n;
  throw new Error(`invalid value ${JSON.stringify(v)} for --${flag}: a non-negative number is expected`);
}

/** Reads the controller's options over the defaults; throws on a malformed value. */
export function nodeLifecycleOptions(o: Readonly<Record<string, unknown>>): NodeLifecycleOptions {
  const pick = (flag: string, field: string) => o[flag] ?? o[field];
  const r = { ...NODE_LIFECYCLE_DEFAULTS };
  const grace = pick('node-monitor-grace-period', 'nodeMonitorGracePeriod');
  if (grace !== undefined) r.nodeMonitorGracePeriodMs = parseDuration(grace, 'node-monitor-grace-period');
  const startup = pick('node-startup-grace-period', 'nodeStartupGracePeriod');
  if (startup !== undefined) r.nodeStartupGracePeriodMs = parseDuration(startup, 'node-startup-grace-period');
  const rate = pick('node-eviction-rate', 'nodeEvictionRate');
  if (rate !== undefined) r.evictionRate = parseNumber(rate, 'node-eviction-rate');
  const secondary = pick('secondary-node-eviction-rate', 'secondaryNodeEvictionRate');
  if (secondary !== undefined) r.secondaryEvictionRate = parseNumber(secondary, 'secondary-node-eviction-rate');
  const large = pick('large-cluster-size-threshold', 'largeClusterSizeThreshold');
  if (large !== undefined) r.largeClusterSizeThreshold = parseNumber(large, 'large-cluster-size-threshold');
  const zone = pick('unhealthy-zone-threshold', 'unhealthyZoneThreshold');
  if (zone !== undefined) r.unhealthyZoneThreshold = parseNumber(zone, 'unhealthy-zone-threshold');
  return r;
}
