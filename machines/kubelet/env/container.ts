/**
 * A container's environment, command and args as the kubelet builds them
 * (kubelet_pods.go makeEnvironmentVariables, then ExpandContainerCommandAndArgs): envFrom
 * first (later sources win, invalid names skipped with an event), then env in order (a
 * value expands `$(VAR)` against the variables declared before it and the service
 * variables; valueFrom reads a fieldRef, resourceFieldRef, ConfigMap or Secret key), then
 * the service variables not already set. Pure: the actor layer fetches the referenced
 * ConfigMaps and Secrets first ({@link envReferences}) and passes what it got.
 */
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { Result } from '../../../base/status.ts';
import { expand, mappingFuncFor } from '../../../api/expansion.ts';
import { podFieldValue, resourceFieldValue, type PodAddresses } from './field-ref.ts';

export interface EnvInput {
  pod: Pod;
  container: Container;
  addresses: PodAddresses;
  /** The node's allocatable: limits a container does not set (defaultPodLimitsForDownwardAPI). */
  allocatable: Record<string, string>;
  /** serviceEnvMap(...) for the pod. */
  serviceEnv: ReadonlyMap<string, string>;
  /** The pod namespace's ConfigMaps and Secrets by name, as read (a 404 is a missing object). */
  configMaps: ReadonlyMap<string, Result<ConfigMap>>;
  secrets: ReadonlyMap<string, Result<Secret>>;
}

/** What the runtime gets for one container. */
export interface ContainerEnv {
  env: { name: string; value: string }[];
  command: string[];
  args: string[];
}

/** A pod event kubelet records while building the environment. */
export interface EnvEvent {
  type: 'Warning';
  reason: 'InvalidEnvironmentVariableNames';
  message: string;
}

/** Either the environment, or kubelet's error (the container's CreateContainerConfigError message). */
export type EnvOutcome = { ok: true; value: ContainerEnv; events: EnvEvent[] } | { ok: false; message: string; events: EnvEvent[] };

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** The ConfigMap and Secret names a container's env and envFrom read. */
export function envReferences(c: Container): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
    if (f.secretRef?.name) secrets.add(f.secretRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  return { configMaps, secrets };
}

/** A Secret's value as text (its data is base64 on the wire). */
export function secretText(b64: string): string {
  const bin = atob(b64);
  return new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0)));
}

type Lookup<T> = { found: T } | { missing: true } | { error: string };

function lookup<T>(m: ReadonlyMap<string, Result<T>>, name: string): Lookup<T> {
  const r = m.get(name);
  if (!r || (!r.ok && r.status.code === 404)) return { missing: true };
  if (!r.ok) return { error: r.status.message };
  return { found: r.value };
}

/** kubelet's message for a missing object (its watch-based manager's NotFound). */
const notFoundText = (kind: 'configmap' | 'secret', name: string): string => `${kind} ${JSON.stringify(name)} not found`;

/** makeEnvironmentVariables + ExpandContainerCommandAndArgs. */
export function containerEnv(i: EnvInput): EnvOutcome {
  const ns = i.pod.metadata?.namespace ?? 'default';
  const events: EnvEvent[] = [];
  const tmp = new Map<string, string>();
  const failed = (message: string): EnvOutcome => ({ ok: false, message, events });
  for (const f of i.container.envFrom ?? []) {
    const ref = f.configMapRef ?? f.secretRef;
    if (!ref) continue;
    const kind = f.configMapRef ? 'configmap' as const : 'secret' as const;
    const name = ref.name ?? '';
    const got = kind === 'configmap' ? lookup(i.configMaps, name) : lookup(i.secrets, name);
    if ('missing' in got) {
      if (ref.optional) continue;
      return failed(notFoundText(kind, name));
    }
    if ('error' in got) return failed(got.error);
    const data = (got.found as ConfigMap | Secret).data ?? {};
    const invalid: string[] = [];
    for (const k of Object.keys(data).sort()) {
      const full = (f.prefix ?? '') + k;
      if (!ENV_NAME.test(full)) invalid.push(full);
      else tmp.set(full, kind === 'secret' ? secretText(data[k]!) : data[k]!);
    }
    if (invalid.length) {
      events.push({
        type: 'Warning',
        reason: 'InvalidEnvironmentVariableNames',
        message: `Keys [${invalid.join(', ')}] from the EnvFrom ${kind === 'configmap' ? 'configMap' : 'secret'} ${ns}/${name} were skipped since they are considered invalid environment variable names.`,
      });
    }
  }
  const mapping = mappingFuncFor(tmp, i.serviceEnv);
  for (const e of i.container.env ?? []) {
    let v = e.value ?? '';
    const from = e.valueFrom;
    if (v !== '') v = expand(v, mapping);
    else if (from?.fieldRef) {
      const r = podFieldValue(from.fieldRef, i.pod, i.addresses);
      if (!r.ok) return failed(r.error);
      v = r.value;
    } else if (from?.resourceFieldRef) {
      const r = resourceFieldValue(from.resourceFieldRef, i.container, i.allocatable);
      if (!r.ok) return failed(r.error);
      v = r.value;
    } else if (from?.configMapKeyRef || from?.secretKeyRef) {
      const ref = (from.configMapKeyRef ?? from.secretKeyRef)!;
      const kind = from.configMapKeyRef ? 'configmap' as const : 'secret' as const;
      const got = kind === 'configmap' ? lookup(i.configMaps, ref.name ?? '') : lookup(i.secrets, ref.name ?? '');
      if ('missing' in got) {
        if (ref.optional) continue;
        return failed(notFoundText(kind, ref.name ?? ''));
      }
      if ('error' in got) return failed(got.error);
      const raw = (got.found as ConfigMap | Secret).data?.[ref.key];
      if (raw === undefined) {
        if (ref.optional) continue;
        return failed(`couldn't find key ${ref.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${ns}/${ref.name ?? ''}`);
      }
      v = kind === 'secret' ? secretText(raw) : raw;
    }
    tmp.set(e.name, v);
  }
  const env = [...tmp].map(([name, value]) => ({ name, value }));
  for (const [name, value] of i.serviceEnv) if (!tmp.has(name)) env.push({ name, value });
  const all = mappingFuncFor(new Map(env.map((e) => [e.name, e.value])));
  return {
    ok: true,
    events,
    value: {
      env,
      command: (i.container.command ?? []).map((c) => expand(c, all)),
      args: (i.container.args ?? []).map((a) => expand(a, all)),
    },
  };
}
