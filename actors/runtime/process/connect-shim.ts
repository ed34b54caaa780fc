/**
 * Connect-time Service translation for process pods (connect-shim.c, built by `npm ci` beside
 * the native relay): with the shim preloaded, a container's TCP connect() to a ClusterIP goes
 * straight to an endpoint its node's kube-proxy chose (the connect table), so Service traffic
 * between pods crosses no proxy, as with kube-proxy's iptables DNAT, and the backend sees the
 * client pod's own address. Without the shim (not built, a static binary, a program that sets
 * its own LD_PRELOAD) connections take kube-proxy's listener on the ClusterIP as before.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImageSpec } from '../images/catalogue.ts';

const built = fileURLToPath(new URL('../../../build/Release/kubeactor-connect.so', import.meta.url));

/** The shim's path, where it was built on Linux (and not turned off by `KUBEACTOR_CONNECT_SHIM=off`). */
export const CONNECT_SHIM: string | undefined = process.platform === 'linux' && process.env.KUBEACTOR_CONNECT_SHIM !== 'off' && existsSync(built) ? built : undefined;

/** Makes the directory the table will be in: the sandbox binds it before kube-proxy's first write. */
export function prepareConnectTable(table: string): void {
  mkdirSync(dirname(table), { recursive: true });
}

/**
 * `image` with the shim preloaded and the node's connect table in view (the directory, so a
 * table replaced by rename is seen). A container's own env still overrides both.
 */
export function withConnectShim(image: ImageSpec, table: string | undefined): ImageSpec {
  if (!CONNECT_SHIM || !table) return image;
  return {
    ...image,
    env: { LD_PRELOAD: CONNECT_SHIM, KUBEACTOR_CONNECT_TABLE: table, ...image.env },
    binds: [...image.binds, CONNECT_SHIM, dirname(table)],
  };
}
