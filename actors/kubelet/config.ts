/**
 * A kubelet's configuration and the node facts derived from it. Defaults follow KWOK's
 * fake nodes (32 cpu, 256Gi memory, 110 pods) so schedulers see a roomy node.
 */
import type { NodeSystemInfo } from 'kubernetes-types/core/v1.js';
import type { Runtime } from '../runtime/runtime.ts';
import type { KubeletTiming } from '../../machines/kubelet/chart.ts';
import type { NodeConditionSpec, NodeFacts } from '../../machines/kubelet/node.ts';
import type { HandlerRuntime } from './runtimes.ts';
import { seededIds, seedFor } from '../random.ts';

export const KUBELET_VERSION = 'v1.32.0';
export const KUBELET_PORT = 10250;
export const DEFAULT_CAPACITY = { cpu: '32', memory: '256Gi', 'ephemeral-storage': '1Ti', pods: '110' } as const;
/** nodeStatusReportFrequency: with a Lease, an unchanged status is still sent this often. */
export const DEFAULT_REPORT_FREQUENCY_MS = 5 * 60_000;
export const DEFAULT_LEASE_DURATION_SECONDS = 40;

export interface KubeletOptions {
  nodeName: string;
  /** The default runtime handler: it runs the pods without a runtimeClassName. */
  runtime: Runtime;
  /** The other runtime handlers by name (what a RuntimeClass's handler selects), built on their first pod. */
  handlers?: Readonly<Record<string, () => HandlerRuntime>>;
  /** Conditions the node reports beside the standard ones (the process runtime's note on unenforced limits). */
  extraConditions?: readonly NodeConditionSpec[];
  /** The node's InternalIP (a loopback address for sim nodes: see NodeAddressPool). */
  hostIP: string;
  /**
   * The node's pod range. Given: the kubelet registers it as spec.podCIDR(s) (it was
   * allocated by the NodeAddressPool of the process that starts the nodes). Absent: the
   * kubelet uses whatever the Node has, and looks again at each status sync until an
   * allocator set one; pods started before then get no IP.
   */
  podCIDR?: string;
  /** cpu, memory, ephemeral-storage, pods; missing keys take DEFAULT_CAPACITY. */
  capacity?: Record<string, string>;
  /** Defaults to capacity (no system reservations). */
  allocatable?: Record<string, string>;
  /** Extra labels; the kubelet's own (kubernetes.io/hostname, os, arch) are always set. */
  labels?: Record<string, string>;
  /** node.kubernetes.io/instance-type, when set. */
  instanceType?: string;
  kubeletVersion?: string;
  timing?: Partial<KubeletTiming>;
  leaseDurationSeconds?: number;
  reportFrequencyMs?: number;
  /** Record the node's Starting / NodeReady events (default true). */
  nodeEvents?: boolean;
  /** Record any Event at all, the pods' and the node's (`--kubelet-events`, default true). */
  events?: boolean;
  /**
   * The kubelet's own directory, `<data-dir>/kubelet/<node>` (kubelet's --root-dir): pod
   * volumes live under `pods/<uid>/volumes/`. Default `<tmpdir>/kubeactor-kubelet/<node>`.
   */
  rootDir?: string;
  /** `--allowed-host-paths`: prefixes a hostPath volume may be under (default none: every hostPath is refused). */
  allowedHostPaths?: string[];
  /**
   * kubelet's clusterDNS: the nameservers of ClusterFirst pods (kube-dns's ClusterIP, from
   * the Service range). Empty: such pods fall back to Default, with a MissingClusterDNS event.
   */
  clusterDNS?: string[];
  /** kubelet's clusterDomain (default cluster.local). */
  clusterDomain?: string;
  /** kubelet's --resolv-conf: what dnsPolicy Default gives a pod (default /etc/resolv.conf). */
  resolvConf?: string;
  /** Volume manager periods in ms: refresh (syncFrequency, 60 s), emptyDir housekeeping (10 s), failed-mount retry (2 s). */
  volumeTiming?: { syncMs?: number; housekeepingMs?: number; retryMs?: number };
  /** KubeletConfiguration kubeAPIQPS: its client's requests a second, shared by all its modules (default 50; 0 or less: unlimited). */
  kubeAPIQPS?: number;
  /** KubeletConfiguration kubeAPIBurst (default 100). */
  kubeAPIBurst?: number;
}


/** `kubeactor-sim://0.1.0` for the sim runtime, as containerd reports `containerd://1.7.x`. */
export function runtimeVersion(runtime: Runtime): string {
  return `kubeactor-${runtime.name}://0.1.0`;
}

/**
 * Stable machine identity: derived from the node name, so a restarted kubelet (or a
 * replay) reports the same ids. bootID differs from machineID as on a real host.
 */
export function systemInfo(opts: KubeletOptions): NodeSystemInfo {
  const ids = seededIds(seedFor(0x6b75626c, `node:${opts.nodeName}`));
  const machineID = ids().replaceAll('-', '');
  const systemUUID = ids().toUpperCase();
  const bootID = ids();
  const version = opts.kubeletVersion ?? KUBELET_VERSION;
  return {
    architecture: 'amd64',
    bootID,
    containerRuntimeVersion: runtimeVersion(opts.runtime),
    kernelVersion: '6.8.0-kubeactor',
    kubeProxyVersion: version,
    kubeletVersion: version,
    machineID,
    operatingSystem: 'linux',
    osImage: `Kubeactor ${opts.runtime.name} node`,
    systemUUID,
  };
}

export function nodeLabels(opts: KubeletOptions): Record<string, string> {
  return {
    ...opts.labels,
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': opts.nodeName,
    'kubernetes.io/os': 'linux',
    ...(opts.instanceType ? { 'node.kubernetes.io/instance-type': opts.instanceType } : {}),
  };
}

export function nodeFacts(opts: KubeletOptions): NodeFacts {
  const capacity: Record<string, string> = { ...DEFAULT_CAPACITY, ...opts.capacity };
  return {
    name: opts.nodeName,
    hostIP: opts.hostIP,
    hostname: opts.nodeName,
    ...(opts.podCIDR ? { podCIDR: opts.podCIDR } : {}),
    capacity,
    allocatable: { ...capacity, ...opts.allocatable },
    labels: nodeLabels(opts),
    nodeInfo: systemInfo(opts),
    kubeletPort: KUBELET_PORT,
    ...(opts.extraConditions?.length ? { extraConditions: opts.extraConditions } : {}),
  };
}
