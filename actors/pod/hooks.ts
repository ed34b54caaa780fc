/**
 * What the kubelet prepares for one pod's runtime steps, outside the pod chart: its volumes
 * before the sandbox, and each container's resolved environment and mounts before
 * CreateContainer (kubelet's generateContainerConfig). Kept beside the pod object the
 * chart's runtime bridge is given, so one provided machine serves every pod.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Mount } from '../kubelet/volumes/mounts.ts';

/** A container ready for CreateContainer, or kubelet's CreateContainerConfigError message. */
export type PreparedContainer = { ok: true; container: Container; mounts: Mount[] } | { ok: false; message: string };

export interface PodHooks {
  /** Resolves once the pod's volumes are set up (kubelet's WaitForAttachAndMount). */
  beforeSandbox(): Promise<void>;
  /** `command`, `args` and `env[].value` resolved and expanded; its volumes as mounts. */
  prepareContainer(c: Container): Promise<PreparedContainer>;
}

const hooks = new WeakMap<Pod, PodHooks>();

export function setPodHooks(pod: Pod, h: PodHooks): void {
  hooks.set(pod, h);
}

export function podHooks(pod: Pod): PodHooks | undefined {
  return hooks.get(pod);
}
