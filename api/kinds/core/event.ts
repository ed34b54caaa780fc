/** core/v1 Event. */
import { eventPrinter } from '../../tables/core.ts';
import { validateEvent } from '../../validation/core.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';

export const eventKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Event',
  resource: 'events',
  namespaced: true,
  shortNames: ['ev'],
  categories: [],
  subresources: [],
  schema: 'core/v1.Event',
  validate: validateEvent,
  defaults: noDefaults,
  strategy: strategies.createOnUpdate,
  patchMeta: {},
  fieldLabels: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  printer: eventPrinter,
  protobuf: null,
});
