/** core/v1 Namespace: cluster-scoped; the namespace controller finalizes it. */
import { CONDITIONS, mount } from '../../patch/meta.ts';
import { namespacePrinter } from '../../tables/core.ts';
import { validateNamespace } from '../../validation/core.ts';
import { defaultNamespace } from '../../defaults/core.ts';
import { ALL_VERBS, defineKind, type KubeObject } from '../info.ts';

/** The finalizer the namespace controller removes once a namespace is empty. */
export const NAMESPACE_FINALIZER = 'kubernetes';

export const namespaceKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  resource: 'namespaces',
  namespaced: false,
  shortNames: ['ns'],
  categories: [],
  subresources: ['status', 'finalize'],
  // Namespaces cannot be deleted as a collection (Kubernetes serves no deletecollection for them).
  verbs: ALL_VERBS.filter((v) => v !== 'deletecollection'),
  schema: 'core/v1.Namespace',
  validate: validateNamespace,
  defaults: defaultNamespace,
  strategy: {
    tracksGeneration: false,
    allowCreateOnUpdate: false,
    prepareForCreate: (o: KubeObject): KubeObject => {
      const spec = (o.spec ?? {}) as { finalizers?: string[] };
      return { ...o, spec: { ...spec, finalizers: spec.finalizers ?? [NAMESPACE_FINALIZER] }, status: { phase: 'Active' } };
    },
    // The namespace controller empties spec.finalizers (through /finalize) once the namespace holds nothing.
    specFinalizers: (o: KubeObject): readonly string[] => (o.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [],
    prepareForDelete: (o: KubeObject): KubeObject => ({ ...o, status: { ...(o.status as object | undefined), phase: 'Terminating' } }),
  },
  patchMeta: mount('status', CONDITIONS),
  fieldLabels: ['status.phase'],
  printer: namespacePrinter,
  protobuf: 'Namespace',
});
