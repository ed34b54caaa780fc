/**
 * Volume source validation (pkg/apis/core/validation validateVolumeSource and friends) for
 * the sources a kubelet here sets up: hostPath, emptyDir, secret, configMap, downwardAPI,
 * projected and persistentVolumeClaim; and the path checks volume mounts share.
 */
import type { DownwardAPIVolumeFile, KeyToPath, ProjectedVolumeSource, Volume } from 'kubernetes-types/core/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { parseQuantity } from '../quantity.ts';
import { child, forbidden, index, invalid, notSupported, required, type FieldPath } from './errors.ts';

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
export const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'] as const;
const VOLUME_FIELD_PATHS = new Set(['metadata.name', 'metadata.namespace', 'metadata.labels', 'metadata.annotations', 'metadata.uid']);
const RESOURCE_FIELDS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

/** validatePathNoBacksteps. */
export function pathNoBacksteps(p: string, field: FieldPath): StatusCause[] {
  return p.split('/').includes('..') ? [invalid(field, p, "must not contain '..'")] : [];
}

/** validateLocalDescendingPath: relative, no `..` element. */
export function localDescendingPath(p: string, field: FieldPath): StatusCause[] {
  return [...(p.startsWith('/') ? [invalid(field, p, 'must be a relative path')] : []), ...pathNoBacksteps(p, field)];
}

/** ValidateLocalNonReservedPath: also may not start with `..` (the atomic writer's own names). */
export function localNonReservedPath(p: string, field: FieldPath): StatusCause[] {
  const errs = localDescendingPath(p, field);
  if (p.startsWith('..') && !p.startsWith('../')) errs.push(invalid(field, p, "must not start with '..'"));
  return errs;
}

const mode = (m: number | undefined, field: FieldPath): StatusCause[] =>
  m !== undefined && (m > 0o777 || m < 0) ? [invalid(field, m, FILE_MODE_ERROR)] : [];

function keyToPath(kp: KeyToPath, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!kp.key) errs.push(required(child(path, 'key')));
  if (!kp.path) errs.push(required(child(path, 'path')));
  errs.push(...localNonReservedPath(kp.path ?? '', child(path, 'path')), ...mode(kp.mode, child(path, 'mode')));
  return errs;
}

function downwardFile(f: DownwardAPIVolumeFile, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!f.path) errs.push(required(child(path, 'path')));
  errs.push(...localNonReservedPath(f.path ?? '', child(path, 'path')));
  if (f.fieldRef) {
    const fp = f.fieldRef.fieldPath ?? '';
    const base = fp.replace(/\['.*'\]$/, '');
    if (!fp) errs.push(required(child(path, 'fieldRef', 'fieldPath')));
    else if (!VOLUME_FIELD_PATHS.has(base)) errs.push(notSupported(child(path, 'fieldRef', 'fieldPath'), fp, [...VOLUME_FIELD_PATHS].sort()));
    if (f.resourceFieldRef) errs.push(invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (f.resourceFieldRef) {
    const rp = child(path, 'resourceFieldRef');
    if (!f.resourceFieldRef.containerName) errs.push(required(child(rp, 'containerName')));
    const r = f.resourceFieldRef.resource ?? '';
    if (!r) errs.push(required(child(rp, 'resource')));
    else if (!RESOURCE_FIELDS.includes(r) && !/^(limits|requests)\.hugepages-/.test(r)) errs.push(notSupported(child(rp, 'resource'), r, RESOURCE_FIELDS));
  } else errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
  errs.push(...mode(f.mode, child(path, 'mode')));
  return errs;
}

function projected(p: ProjectedVolumeSource, path: FieldPath): StatusCause[] {
  const errs = mode(p.defaultMode, child(path, 'defaultMode'));
  const seen = new Set<string>();
  const claim = (at: string, what: string): void => {
    if (seen.has(at)) errs.push(invalid(path, what, 'conflicting duplicate paths'));
    seen.add(at);
  };
  for (const [i, s] of (p.sources ?? []).entries()) {
    const sp = index(child(path, 'sources'), i);
    let n = 0;
    for (const kind of ['secret', 'configMap'] as const) {
      const src = s[kind];
      if (!src) continue;
      n++;
      if (!src.name) errs.push(required(child(sp, kind, 'name')));
      for (const [j, kp] of (src.items ?? []).entries()) {
        errs.push(...keyToPath(kp, index(child(sp, kind, 'items'), j)));
        if (kp.path) claim(kp.path, src.name ?? '');
      }
    }
    if (s.downwardAPI) {
      n++;
      for (const f of s.downwardAPI.items ?? []) {
        errs.push(...downwardFile(f, child(sp, 'downwardAPI')));
        if (f.path) claim(f.path, f.path);
      }
    }
    if (s.serviceAccountToken) {
      n++;
      const t = s.serviceAccountToken;
      const ep = child(sp, 'serviceAccountToken', 'expirationSeconds');
      if (t.expirationSeconds !== undefined && t.expirationSeconds < 600) errs.push(invalid(ep, t.expirationSeconds, 'may not specify a duration less than 10 minutes'));
      if (t.expirationSeconds !== undefined && t.expirationSeconds > 2 ** 32) errs.push(invalid(ep, t.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
      if (!t.path) errs.push(required(child(path, 'path')));
      else errs.push(...localNonReservedPath(t.path, child(path, 'path')));
    }
    if (n > 1) errs.push(forbidden(sp, 'may not specify more than 1 volume type'));
  }
  return errs;
}

/** The checks of one volume's source (the one source it has; counting sources is the caller's). */
export function validateVolumeSource(v: Volume, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  if (v.hostPath) {
    const hp = child(path, 'hostPath');
    if (!v.hostPath.path) return [required(child(hp, 'path'))];
    errs.push(...pathNoBacksteps(v.hostPath.path, child(hp, 'path')));
    const t = v.hostPath.type;
    if (t !== undefined && !(HOST_PATH_TYPES as readonly string[]).includes(t)) errs.push(notSupported(child(hp, 'type'), t, HOST_PATH_TYPES));
  }
  if (v.emptyDir?.sizeLimit !== undefined) {
    const q = parseQuantity(String(v.emptyDir.sizeLimit));
    if (q.ok && q.value.nano < 0n) errs.push(forbidden(child(path, 'emptyDir', 'sizeLimit'), 'SizeLimit field must be a valid resource quantity'));
  }
  for (const kind of ['secret', 'configMap'] as const) {
    const src = v[kind];
    if (!src) continue;
    const sp = child(path, kind);
    const name = kind === 'secret' ? v.secret?.secretName : v.configMap?.name;
    if (!name) errs.push(required(child(sp, kind === 'secret' ? 'secretName' : 'name')));
    errs.push(...mode(src.defaultMode, child(sp, 'defaultMode')));
    for (const [i, kp] of (src.items ?? []).entries()) errs.push(...keyToPath(kp, index(child(sp, 'items'), i)));
  }
  if (v.downwardAPI) {
    const dp = child(path, 'downwardAPI');
    errs.push(...mode(v.downwardAPI.defaultMode, child(dp, 'defaultMode')));
    for (const f of v.downwardAPI.items ?? []) errs.push(...downwardFile(f, dp));
  }
  if (v.projected) errs.push(...projected(v.projected, child(path, 'projected')));
  if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(required(child(path, 'persistentVolumeClaim', 'claimName')));
  return errs;
}
