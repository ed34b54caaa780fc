/**
 * Which pods back a Service, and on which port (pkg/api/v1/endpoints and
 * pkg/controller/util/endpoint: ShouldPodBeInEndpoints, podutil.FindPort), shared by the
 * Endpoints and EndpointSlice controllers. Pure functions.
 */
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { isPodReady } from '../pods.ts';

/**
 * ShouldPodBeInEndpoints: the pod has an IP and is not terminal (Succeeded/Failed); a terminating pod counts
 * only when `includeTerminating` (EndpointSlices list it with terminating=true, Endpoints do not).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  if (!pod.status?.podIP) return false;
  return includeTerminating || !pod.metadata?.deletionTimestamp;
}

/** Ready for traffic: the pod is Ready, or the Service publishes not-ready addresses. */
export function podServesTraffic(pod: Pod, svc: Service): boolean {
  return svc.spec?.publishNotReadyAddresses === true || isPodReady(pod);
}

/**
 * podutil.FindPort: a numeric targetPort is itself; a named one is the containerPort of the
 * pod's port with that name and the Service port's protocol, or undefined (the pod then does
 * not serve that Service port).
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  const asNumber = Number(target);
  if (target !== '' && Number.isInteger(asNumber)) return asNumber;
  const protocol = sp.protocol ?? 'TCP';
  for (const c of [...(pod.spec?.initContainers ?? []).filter((i) => i.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** The pod's resolved ports for every Service port it serves, in Service order. */
export interface ResolvedPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export function resolvePorts(pod: Pod, svc: Service): ResolvedPort[] {
  const out: ResolvedPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

/** A stable key of a port list, to group pods that resolve the Service's ports alike. */
export const portsKey = (ports: readonly ResolvedPort[]): string =>
  JSON.stringify([...ports].map((p) => [p.name ?? '', p.port, p.protocol, p.appProtocol ?? '']).sort());

/** A pod targetRef, as both Endpoints and EndpointSlices carry it. */
export function podRef(pod: Pod): { kind: 'Pod'; namespace: string; name: string; uid: string } {
  return { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
}

/** The Service's selector as labels (undefined or empty: the controllers leave it alone). */
export function serviceSelector(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

export function selectorMatches(sel: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(sel).every(([k, v]) => labels?.[k] === v);
}

/**
 * The endpoints.kubernetes.io/last-change-trigger-time value: the newest of the Service's
 * creation and its pods' last Ready transitions (a simplification of TriggerTimeTracker,
 * which keeps the oldest change not yet exported).
 */
export function lastChangeTriggerTime(svc: Service, pods: readonly Pod[]): string | undefined {
  let best = svc.metadata?.creationTimestamp;
  for (const p of pods) {
    const t = p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? p.metadata?.creationTimestamp;
    if (t && (!best || Date.parse(t) > Date.parse(best))) best = t;
  }
  return best;
}

export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
