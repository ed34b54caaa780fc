/**
 * The connect table of one node: its ClusterIP TCP ports and their endpoints, in the file
 * format the process pods' connect shim reads (actors/runtime/process/connect-shim.c), one
 * line per Service port: `<clusterIP> <port> [<endpointIP>:<port> ...]`. kube-proxy writes
 * it beside the node's runtime state and replaces it by rename, so a pod's connect() reads
 * either the old table or the new one, never half of one.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ConnectRule } from '../../machines/kube-proxy/rules.ts';

/** Where a node's connect table lives under its runtime state directory. */
export const connectTablePath = (stateDir: string): string => join(stateDir, 'kube-proxy', 'services');

export function connectTableText(rules: readonly ConnectRule[]): string {
  return rules.map((r) => [r.ip, r.port, ...r.endpoints.map((e) => `${e.ip}:${e.port}`)].join(' ') + '\n').join('');
}

/** Replaces the table at `path` with `text` (write beside, then rename). */
export async function writeConnectTable(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const next = join(dirname(path), `.${basename(path)}.next`);
  await writeFile(next, text);
  await rename(next, path);
}
