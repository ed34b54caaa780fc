import { resolve } from 'node:path';
import type { KubeletOptions } from '../actors/kubelet/config.ts';
import { KUBELET_DIR } from '../actors/data-dir.ts';
import { durationFlag, UsageError } from './args.ts';

/** The kubelet flags shared by `up` and `node`, named as kubelet names them. */
export const kubeletFlagOptions = {
  'allowed-host-paths': { type: 'string' },
  'sync-frequency': { type: 'string' },
  'kubelet-events': { type: 'string' },
} as const;

export const KUBELET_FLAGS_HELP = `  --allowed-host-paths LIST       comma-separated path prefixes a pod's hostPath volume may be under
                                  (default none: every hostPath is refused with a FailedMount event;
                                  the data dir is never allowed by default, it holds every Secret)
  --sync-frequency D              kubelet's period for re-syncing running pods: configMap, secret,
                                  projected and downwardAPI volumes are refreshed this often (default 1m)
  --kubelet-events=false          the kubelets record no Events (a pod's Pulled, Created, Started, …; a
                                  node's Starting, NodeReady): for scale runs, as KWOK's simulated
                                  nodes write none (default true)`;

export interface KubeletFlags {
  'allowed-host-paths'?: string | undefined;
  'sync-frequency'?: string | undefined;
  'kubelet-events'?: string | undefined;
}

/** kubelet's default --sync-frequency. */
const DEFAULT_SYNC_FREQUENCY_MS = 60_000;

/**
 * Each kubelet's options from the flags: its root dir `<dataDir>/kubelet/<node>` (kubelet's
 * --root-dir), the hostPath allow-list, the volume refresh period and whether they record Events.
 */
export function kubeletConfigFrom(values: KubeletFlags, dataDir: string): (name: string) => Partial<KubeletOptions> {
  const allowedHostPaths = (values['allowed-host-paths'] ?? '').split(',').map((p) => p.trim()).filter(Boolean).map((p) => resolve(p));
  const syncMs = durationFlag('sync-frequency', values['sync-frequency'], DEFAULT_SYNC_FREQUENCY_MS);
  if (syncMs === 0) throw new UsageError('--sync-frequency must be greater than 0');
  const ev = values['kubelet-events'] ?? 'true';
  if (ev !== 'true' && ev !== 'false') throw new UsageError(`--kubelet-events must be true or false, got "${ev}"`);
  const events = ev === 'true' ? {} : { events: false };
  return (name) => ({ rootDir: resolve(dataDir, KUBELET_DIR, name), allowedHostPaths, volumeTiming: { syncMs }, ...events });
}
