/** core/v1 PersistentVolume: cluster-scoped; a new volume is Pending until the binder looks at it. */
import { persistentVolumePrinter } from '../../tables/storage.ts';
import { validatePersistentVolume } from '../../validation/storage.ts';
import { defaultPersistentVolume } from '../../defaults/storage.ts';
import { defineKind, type KubeObject } from '../info.ts';

export const persistentVolumeKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  resource: 'persistentvolumes',
  namespaced: false,
  shortNames: ['pv'],
  categories: [],
  subresources: ['status'],
  schema: 'core/v1.PersistentVolume',
  validate: validatePersistentVolume,
  defaults: defaultPersistentVolume,
  strategy: {
    tracksGeneration: false,
    allowCreateOnUpdate: false,
    prepareForCreate: (o: KubeObject): KubeObject => ({ ...o, status: { phase: 'Pending' } }),
  },
  patchMeta: {},
  fieldLabels: [],
  printer: persistentVolumePrinter,
  protobuf: null,
});
