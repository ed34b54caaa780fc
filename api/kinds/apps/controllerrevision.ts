/**
 * apps/v1 ControllerRevision: an immutable snapshot of a StatefulSet's or DaemonSet's pod
 * template, numbered; their controllers write one per template they roll out
 * (actors/controllers/history.ts), and `kubectl rollout history|undo` read them.
 */
import { controllerRevisionPrinter } from '../../tables/controllerrevision.ts';
import { validateControllerRevision } from '../../validation/controllerrevision.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';

export const controllerRevisionKind = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  resource: 'controllerrevisions',
  namespaced: true,
  shortNames: [],
  categories: [],
  subresources: [],
  schema: 'apps/v1.ControllerRevision',
  validate: validateControllerRevision,
  defaults: noDefaults,
  strategy: strategies.plain,
  patchMeta: {},
  fieldLabels: [],
  printer: controllerRevisionPrinter,
  protobuf: null,
});
