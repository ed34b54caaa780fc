/** storage.k8s.io/v1 StorageClass: cluster-scoped, no status; provisioner and parameters fixed at creation. */
import { storageClassPrinter } from '../../tables/storage.ts';
import { validateStorageClass } from '../../validation/storage.ts';
import { defaultStorageClass } from '../../defaults/storage.ts';
import { defineKind, strategies } from '../info.ts';

export const storageClassKind = defineKind({
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  resource: 'storageclasses',
  namespaced: false,
  shortNames: ['sc'],
  categories: [],
  subresources: [],
  schema: 'storage/v1.StorageClass',
  validate: validateStorageClass,
  defaults: defaultStorageClass,
  strategy: strategies.plain,
  patchMeta: {},
  fieldLabels: [],
  printer: storageClassPrinter,
  protobuf: null,
});
