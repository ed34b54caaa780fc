/**
 * The local-path provisioner (after Rancher's local-path-provisioner, run the way
 * sig-storage-lib-external-provisioner runs one): serves StorageClasses whose provisioner is
 * `kubeactor.io/local-path`.
 *
 * - Provision: a claim the binder handed to this provisioner (the
 *   volume.kubernetes.io/storage-provisioner annotation), and for WaitForFirstConsumer one
 *   the scheduler chose a node for, gets a directory `<storage-dir>/pvc-<uid>` and a
 *   PersistentVolume pre-bound to it; the binder then binds the pair.
 * - Delete: a Released volume it made, with reclaim policy Delete, has its directory removed
 *   and is deleted; Retain keeps both.
 *
 * Option `storage-dir` (`kubeactor up` passes `<data-dir>/storage`). Without it nothing is
 * provisioned and claims get a ProvisioningFailed event saying so. The directories are made
 * and removed through a {@link VolumeDisk} (option `disk`, default the real file system); a
 * replay gets one that touches nothing, so replaying a log never creates or deletes data.
 */
import { mkdir, rm } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { claimClass } from '../../../api/volumes/claims.ts';
import { LOCAL_PATH_PROVISIONER } from '../../../api/volumes/local-path.ts';
import { hostPathOf } from '../../../api/volumes/pv-path.ts';
import { PROVISIONED_BY, SELECTED_NODE, STORAGE_PROVISIONER } from '../../../machines/controllers/volume/binding.ts';
import { keyOf } from '../../informer.ts';
import { isAlreadyExists, isNotFound, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../framework.ts';
import { localPathVolume, volumeNameFor } from './volume.ts';

/** The provisioner's effects on the host: make a volume's directory, remove it with everything in it. */
export interface VolumeDisk {
  create(dir: string): Promise<void>;
  remove(dir: string): Promise<void>;
}

export const hostDisk: VolumeDisk = {
  // Private like the rest of the data directory: pods run as the same user.
  create: async (dir) => void (await mkdir(dir, { recursive: true, mode: 0o700 })),
  remove: (dir) => rm(dir, { recursive: true, force: true }),
};

/** What a replay uses: the decisions and writes happen again, the directories are left alone. */
export const replayDisk: VolumeDisk = { create: async () => {}, remove: async () => {} };

const isDisk = (x: unknown): x is VolumeDisk => typeof (x as VolumeDisk | undefined)?.create === 'function' && typeof (x as VolumeDisk).remove === 'function';

export function createLocalPathController(cc: ControllerContext): Controller {
  const root = typeof cc.options['storage-dir'] === 'string' ? resolve(cc.options['storage-dir']) : null;
  const disk = isDisk(cc.options.disk) ? cc.options.disk : hostDisk;
  const enqueueKey = (o: { metadata?: { namespace?: string; name?: string } }) => cc.enqueue(keyOf(o));
  const claims = cc.informer({ target: targets.persistentvolumeclaims(), handlers: { add: enqueueKey, update: (_, cur) => enqueueKey(cur) } });
  const volumes = cc.informer({ target: targets.persistentvolumes(), handlers: { add: enqueueKey, update: (_, cur) => enqueueKey(cur) } });
  const classes = cc.informer({ target: targets.storageclasses() });

  const ours = (sc: StorageClass | undefined): sc is StorageClass => sc?.provisioner === LOCAL_PATH_PROVISIONER;

  async function provision(pvc: PersistentVolumeClaim): Promise<void> {
    if (pvc.spec?.volumeName || pvc.metadata?.deletionTimestamp) return;
    if (pvc.metadata?.annotations?.[STORAGE_PROVISIONER] !== LOCAL_PATH_PROVISIONER) return;
    const sc = classes.get(claimClass(pvc)) as StorageClass | undefined;
    if (!ours(sc)) return;
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !pvc.metadata?.annotations?.[SELECTED_NODE]) return;
    if (volumes.get(volumeNameFor(pvc))) return;
    const claimName = `${pvc.metadata?.namespace}/${pvc.metadata?.name}`;
    const failed = (why: string) => {
      void cc.events.record(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name}": ${why}`);
    };
    if (!root) {
      failed('the local-path provisioner has no storage directory (start it with a data directory)');
      return;
    }
    void cc.events.record(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${claimName}"`);
    const pv = localPathVolume(pvc, sc, root);
    try {
      await disk.create(hostPathOf(pv)!);
    } catch (err) {
      failed((err as Error).message);
      throw err;
    }
    const r = await cc.api.create(targets.persistentvolumes(), pv);
    if (!r.ok && isAlreadyExists(r.status)) return;
    if (!r.ok) failed(r.status.message);
    unwrap(r);
    void cc.events.record(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata?.name}`);
  }

  async function reclaim(pv: PersistentVolume): Promise<void> {
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    if (pv.metadata?.annotations?.[PROVISIONED_BY] !== LOCAL_PATH_PROVISIONER || !root) return;
    const dir = hostPathOf(pv);
    // Only what this provisioner made under its root is ever removed.
    if (!dir || !resolve(dir).startsWith(root + sep)) {
      void cc.events.record(pv, 'Warning', 'VolumeFailedDelete', `volume path ${dir ?? '<none>'} is not under the storage directory ${root}`);
      return;
    }
    await disk.remove(resolve(dir));
    const r = await cc.api.delete(targets.persistentvolumes(undefined, pv.metadata?.name), { preconditions: { uid: pv.metadata?.uid ?? '' } });
    if (!r.ok && !isNotFound(r.status)) unwrap(r);
  }

  return {
    async sync(key) {
      if (key.includes('/')) {
        const pvc = claims.get(key) as PersistentVolumeClaim | undefined;
        if (pvc) await provision(pvc);
        return;
      }
      const pv = volumes.get(key) as PersistentVolume | undefined;
      if (pv && !pv.metadata?.deletionTimestamp) await reclaim(pv);
    },
  };
}

export const localPathController: ControllerDefinition = {
  name: 'local-path',
  aliases: ['local-path-provisioner'],
  component: LOCAL_PATH_PROVISIONER,
  enabledByDefault: true,
  create: createLocalPathController,
  replayOptions: (recorded) => ({ ...recorded, disk: replayDisk }),
};

