/**
 * A container's volumeMounts resolved to host paths (kubelet's makeMounts): the volume's
 * directory, or a subPath / subPathExpr inside it — made when missing, and refused when it
 * is absolute, has a `..` element, or resolves (through symlinks) outside its volume, with
 * kubelet's errors (they become the container's CreateContainerConfigError). A subPath is
 * resolved to its real path when the container is created, so a later atomic update of a
 * ConfigMap volume does not reach it, as in Kubernetes.
 */
import type { Container } from 'kubernetes-types/core/v1.js';
import { mkdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { expand } from '../../../api/expansion.ts';

import type { Mount } from '../../runtime/runtime.ts';

export type { Mount };

/** Where a pod volume lives on the host, and whether it is API data (always mounted read-only). */
export interface VolumeDir {
  path: string;
  readOnly: boolean;
}

export type MountsResult = { ok: true; mounts: Mount[] } | { ok: false; message: string };

/** ExpandContainerVolumeMounts: subPathExpr against the container's env; a missing or empty variable is an error. */
export function expandSubPathExpr(expr: string, env: readonly { name: string; value: string }[]): { ok: true; path: string } | { ok: false; message: string } {
  const vars = new Map(env.map((e) => [e.name, e.value]));
  const missing = new Set<string>();
  const path = expand(expr, (k) => {
    const v = vars.get(k);
    if (!v) missing.add(k);
    return v ?? '';
  });
  return missing.size ? { ok: false, message: `missing value for ${[...missing].sort().join(', ')}` } : { ok: true, path };
}

const inside = (path: string, root: string): boolean => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * The mounts of `c`. `disk` false (a runtime that mounts nothing) checks what can be checked
 * without touching the filesystem.
 */
export async function containerMounts(c: Container, volumes: ReadonlyMap<string, VolumeDir>, env: readonly { name: string; value: string }[], disk: boolean): Promise<MountsResult> {
  const mounts: Mount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const vol = volumes.get(m.name);
    // A runtime that mounts nothing does not need a source this kubelet does not set up (nfs, csi, …).
    if (!vol && !disk) continue;
    if (!vol) return { ok: false, message: `cannot find volume ${JSON.stringify(m.name)} to mount into container ${JSON.stringify(c.name)}` };
    let subPath = m.subPath ?? '';
    if (m.subPathExpr) {
      const x = expandSubPathExpr(m.subPathExpr, env);
      if (!x.ok) return x;
      subPath = x.path;
    }
    let hostPath = vol.path;
    if (subPath) {
      if (subPath.startsWith('/')) return { ok: false, message: `error SubPath \`${subPath}\` must not be an absolute path` };
      if (subPath.split('/').includes('..')) return { ok: false, message: `unable to provision SubPath \`${subPath}\`: must not contain '..'` };
      hostPath = join(vol.path, subPath);
      if (disk) {
        const root = await realpath(vol.path).catch(() => vol.path);
        let real = await realpath(hostPath).catch(() => null);
        if (real === null) {
          // kubelet's SafeMakeDir refuses to create through a link that leads out of the volume.
          const parent = await realpath(join(hostPath, '..')).catch(() => null);
          if (parent !== null && !inside(parent, root)) return { ok: false, message: `failed to create subPath directory for volumeMount ${JSON.stringify(m.name)} of container ${JSON.stringify(c.name)}` };
          const made = await mkdir(hostPath, { recursive: true, mode: 0o777 }).then(() => true, () => false);
          if (!made) return { ok: false, message: `failed to create subPath directory for volumeMount ${JSON.stringify(m.name)} of container ${JSON.stringify(c.name)}` };
          real = await realpath(hostPath).catch(() => null);
        }
        if (real === null || !inside(real, root)) return { ok: false, message: `failed to prepare subPath for volumeMount ${JSON.stringify(m.name)} of container ${JSON.stringify(c.name)}` };
        hostPath = real;
      }
    }
    mounts.push({ hostPath, containerPath: m.mountPath, readOnly: !!m.readOnly || vol.readOnly });
  }
  return { ok: true, mounts };
}
