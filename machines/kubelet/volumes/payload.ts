/**
 * What the kubelet's API-data volume plugins (configMap, secret, downwardAPI, projected)
 * write: a payload of relative path → bytes and mode, built as their MakePayload /
 * CollectData do, with kubelet's error messages. Pure: the actor layer reads the objects
 * and the service-account token first and passes them in.
 */
import type { ConfigMap, ConfigMapVolumeSource, DownwardAPIVolumeFile, KeyToPath, Pod, ProjectedVolumeSource, Secret, SecretVolumeSource } from 'kubernetes-types/core/v1.js';
import { extractFieldPath, resourceFieldValue } from '../env/field-ref.ts';

/** One file of a volume. */
export interface FileProjection {
  data: Uint8Array;
  mode: number;
}

/** Relative path → file. */
export type Payload = Map<string, FileProjection>;

/** Kubernetes' default for defaultMode on every API-data volume (0644). */
export const DEFAULT_MODE = 0o644;

/** A payload, or kubelet's error (the text after `MountVolume.SetUp failed for volume "x" : `). */
export type PayloadResult = { ok: true; payload: Payload } | { ok: false; error: string };

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const bytes = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** An object as read: the object, null when it does not exist, or the read's error text. */
export type Fetched<T> = T | null | { error: string };
const isError = <T>(f: Fetched<T>): f is { error: string } => f !== null && typeof f === 'object' && 'error' in f && Object.keys(f).length === 1;

/** The data of a ConfigMap (data then binaryData) or a Secret (data), decoded. */
function entries(obj: ConfigMap | Secret, secret: boolean): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(obj.data ?? {})) out.set(k, secret ? bytes(v) : text(v));
  if (!secret) for (const [k, v] of Object.entries((obj as ConfigMap).binaryData ?? {})) out.set(k, bytes(v));
  return out;
}

/** MakePayload of the configMap and secret plugins. */
function keysPayload(items: KeyToPath[] | undefined, data: Map<string, Uint8Array>, defaultMode: number, optional: boolean, what: string): PayloadResult {
  const payload: Payload = new Map();
  if (!items?.length) {
    for (const [k, v] of data) payload.set(k, { data: v, mode: defaultMode });
    return { ok: true, payload };
  }
  for (const kp of items) {
    const v = data.get(kp.key);
    if (v === undefined) {
      if (optional) continue;
      return { ok: false, error: `${what} references non-existent ${what === 'configmap' ? 'config' : 'secret'} key: ${kp.key}` };
    }
    payload.set(kp.path, { data: v, mode: kp.mode ?? defaultMode });
  }
  return { ok: true, payload };
}

/** A missing object is kubelet's NotFound (its watch-based manager names the kind in the singular). */
const notFound = (kind: string, name: string): string => `${kind} ${JSON.stringify(name)} not found`;

export function configMapPayload(src: ConfigMapVolumeSource, cm: Fetched<ConfigMap>): PayloadResult {
  if (isError(cm)) return { ok: false, error: cm.error };
  if (!cm) return src.optional ? { ok: true, payload: new Map() } : { ok: false, error: notFound('configmap', src.name ?? '') };
  return keysPayload(src.items, entries(cm, false), src.defaultMode ?? DEFAULT_MODE, !!src.optional, 'configmap');
}

export function secretPayload(src: SecretVolumeSource, s: Fetched<Secret>): PayloadResult {
  if (isError(s)) return { ok: false, error: s.error };
  if (!s) return src.optional ? { ok: true, payload: new Map() } : { ok: false, error: notFound('secret', src.secretName ?? '') };
  return keysPayload(src.items, entries(s, true), src.defaultMode ?? DEFAULT_MODE, !!src.optional, 'secret');
}

/** downwardAPI's CollectData: each item's fieldRef (metadata only) or a container's resourceFieldRef. */
export function downwardPayload(items: DownwardAPIVolumeFile[] | undefined, pod: Pod, allocatable: Record<string, string>, defaultMode = DEFAULT_MODE): PayloadResult {
  const payload: Payload = new Map();
  const errors: string[] = [];
  for (const f of items ?? []) {
    let value = '';
    if (f.fieldRef) {
      const r = extractFieldPath(pod, f.fieldRef.fieldPath);
      if (r.ok) value = r.value;
      else errors.push(r.error);
    } else if (f.resourceFieldRef) {
      const name = f.resourceFieldRef.containerName ?? '';
      const c = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === name);
      const r = c ? resourceFieldValue(f.resourceFieldRef, c, allocatable) : { ok: false as const, error: `container ${name} not found` };
      if (r.ok) value = r.value;
      else errors.push(r.error);
    }
    payload.set(clean(f.path), { data: text(value), mode: f.mode ?? defaultMode });
  }
  return errors.length ? { ok: false, error: aggregate(errors) } : { ok: true, payload };
}

/** The objects and token a projected volume's sources were resolved to, by source index. */
export interface ProjectedInputs {
  configMaps: ReadonlyMap<string, Fetched<ConfigMap>>;
  secrets: ReadonlyMap<string, Fetched<Secret>>;
  /** The token of source i (a serviceAccountToken source), or the TokenRequest's error. */
  tokens: ReadonlyMap<number, { token: string } | { error: string }>;
  allocatable: Record<string, string>;
}

/** The projected plugin's collectData: every source's files in one payload, errors aggregated. */
export function projectedPayload(src: ProjectedVolumeSource, pod: Pod, inputs: ProjectedInputs): PayloadResult {
  const mode = src.defaultMode ?? DEFAULT_MODE;
  const payload: Payload = new Map();
  const errors: string[] = [];
  const take = (r: PayloadResult): void => {
    if (!r.ok) errors.push(r.error);
    else for (const [k, v] of r.payload) payload.set(k, v);
  };
  for (const [i, s] of (src.sources ?? []).entries()) {
    if (s.configMap) take(configMapPayload({ ...s.configMap, defaultMode: mode }, inputs.configMaps.get(s.configMap.name ?? '') ?? null));
    else if (s.secret) take(secretPayload({ secretName: s.secret.name ?? '', items: s.secret.items, optional: s.secret.optional, defaultMode: mode }, inputs.secrets.get(s.secret.name ?? '') ?? null));
    else if (s.downwardAPI) take(downwardPayload(s.downwardAPI.items, pod, inputs.allocatable, mode));
    else if (s.serviceAccountToken) {
      const t = inputs.tokens.get(i);
      if (!t || 'error' in t) errors.push(t?.error ?? 'no token');
      else payload.set(s.serviceAccountToken.path, { data: text(t.token), mode });
    }
  }
  return errors.length ? { ok: false, error: aggregate(errors) } : { ok: true, payload };
}

/** utilerrors.NewAggregate's message. */
function aggregate(errors: string[]): string {
  return errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
}

/** filepath.Clean for a relative path. */
function clean(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    out.push(part);
  }
  return out.join('/') || '.';
}
