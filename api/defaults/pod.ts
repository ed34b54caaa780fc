/**
 * Pod defaulting: pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec, _Container, _Probe,
 * _Volume...). What admission adds to a new Pod is admission's (actors/apiserver: the
 * Priority plugin's priority and preemptionPolicy, DefaultTolerationSeconds' tolerations),
 * not a default: the field manager records a create's defaults as its writer's, and what
 * admission adds as nobody's. Every function returns a defaulted copy.
 */
import type { Container, Pod, PodSpec, PodTemplateSpec, Probe, Toleration, Volume } from 'kubernetes-types/core/v1.js';
import { clone, cloneBeside, setOwn } from '../json.ts';

/** "Always" for `:latest` or an untagged image without digest, "IfNotPresent" otherwise. */
export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  const ref = image ?? '';
  const at = ref.indexOf('@');
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const last = name.slice(name.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  const tag = colon >= 0 ? last.slice(colon + 1) : at >= 0 ? '' : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function probe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) {
    p.httpGet.path ??= '/';
    p.httpGet.scheme ??= 'HTTP';
  }
}

function container(c: Container): void {
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.imagePullPolicy ??= defaultPullPolicy(c.image);
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  c.resources ??= {};
  // SetDefaults_Pod: a limit without a request makes the request equal to the limit
  const { limits } = c.resources;
  if (limits) {
    const requests = (c.resources.requests ??= {});
    for (const [k, v] of Object.entries(limits)) if (!Object.hasOwn(requests, k)) setOwn(requests, k, v);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
  probe(c.livenessProbe);
  probe(c.readinessProbe);
  probe(c.startupProbe);
}

function volume(v: Volume): void {
  const sources = Object.keys(v).filter((k) => k !== 'name');
  if (sources.length === 0) v.emptyDir = {};
  if (v.secret) v.secret.defaultMode ??= 420;
  if (v.configMap) v.configMap.defaultMode ??= 420;
  if (v.downwardAPI) v.downwardAPI.defaultMode ??= 420;
  if (v.projected) v.projected.defaultMode ??= 420;
  if (v.hostPath) v.hostPath.type ??= '';
}

/** SetDefaults_PodSpec and its parts, in place. */
export function defaultPodSpecInPlace(spec: PodSpec): PodSpec {
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) container(c);
  if (spec.hostNetwork) {
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const p of c.ports ?? []) p.hostPort ??= p.containerPort;
    }
  }
  for (const v of spec.volumes ?? []) volume(v);
  return spec;
}

/** A defaulted copy of a pod template (as inside Deployments, Jobs...): no admission defaults. */
export function defaultPodTemplate(t: PodTemplateSpec | undefined): PodTemplateSpec | undefined {
  if (!t) return t;
  const copy = clone(t);
  if (copy.spec) defaultPodSpecInPlace(copy.spec);
  return copy;
}

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/** Seconds of the two default NoExecute tolerations (kube-apiserver's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds). */
export interface DefaultTolerationSeconds {
  notReady: number;
  unreachable: number;
}

export const DEFAULT_TOLERATION_SECONDS: DefaultTolerationSeconds = { notReady: 300, unreachable: 300 };

/** The DefaultTolerationSeconds admission plugin: adds the not-ready and unreachable NoExecute tolerations unless already tolerated. */
export function addDefaultTolerations(tolerations: Toleration[] | undefined, seconds: DefaultTolerationSeconds = DEFAULT_TOLERATION_SECONDS): Toleration[] {
  const list = [...(tolerations ?? [])];
  const tolerates = (k: string): boolean =>
    list.some((t) => (t.key === k || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const add: Toleration[] = [];
  if (!tolerates(NOT_READY)) add.push({ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds.notReady });
  if (!tolerates(UNREACHABLE)) add.push({ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds.unreachable });
  return [...list, ...add];
}

/**
 * A defaulted copy of a new Pod: its spec's defaults. On an update whose spec is the stored
 * pod's own (a status write), the spec was defaulted when stored and is kept as it is: only
 * the rest is copied.
 */
export function defaultPod(pod: Pod, stored?: Pod): Pod {
  // Only the spec is defaulted in place; what else the pod shares with the stored one stays shared (its managedFields).
  if (stored !== undefined && pod.spec !== undefined && pod.spec === stored.spec) return cloneBeside(pod, stored);
  const p = clone(pod);
  const spec = (p.spec ??= { containers: [] });
  defaultPodSpecInPlace(spec);
  return p;
}
