/** core/v1 PersistentVolumeClaim: a new claim is Pending until the binder binds it. */
import { CONDITIONS, mount } from '../../patch/meta.ts';
import { persistentVolumeClaimPrinter } from '../../tables/storage.ts';
import { validatePersistentVolumeClaim } from '../../validation/storage.ts';
import { defaultPersistentVolumeClaim } from '../../defaults/storage.ts';
import { defineKind, type KubeObject } from '../info.ts';

export const persistentVolumeClaimKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  resource: 'persistentvolumeclaims',
  namespaced: true,
  shortNames: ['pvc'],
  categories: [],
  subresources: ['status'],
  schema: 'core/v1.PersistentVolumeClaim',
  validate: validatePersistentVolumeClaim,
  defaults: defaultPersistentVolumeClaim,
  strategy: {
    tracksGeneration: false,
    allowCreateOnUpdate: false,
    prepareForCreate: (o: KubeObject): KubeObject => ({ ...o, status: { phase: 'Pending' } }),
  },
  patchMeta: { ...mount('status', CONDITIONS) },
  fieldLabels: [],
  printer: persistentVolumeClaimPrinter,
  protobuf: null,
});
