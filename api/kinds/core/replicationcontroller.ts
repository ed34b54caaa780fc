/**
 * core/v1 ReplicationController: the ReplicaSet before label selectors had expressions.
 * Its controller is the ReplicaSet controller on the equality selector
 * (actors/controllers/replicationcontroller/).
 */
import { CONDITIONS, POD_TEMPLATE, mount } from '../../patch/meta.ts';
import { replicationControllerPrinter } from '../../tables/replicationcontroller.ts';
import { defaultReplicationController, validateReplicationController } from '../../validation/replicationcontroller.ts';
import { defineKind, strategies } from '../info.ts';

export const replicationControllerKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'ReplicationController',
  resource: 'replicationcontrollers',
  namespaced: true,
  shortNames: ['rc'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  schema: 'core/v1.ReplicationController',
  validate: validateReplicationController,
  defaults: defaultReplicationController,
  strategy: strategies.controlled,
  patchMeta: { ...mount('spec', POD_TEMPLATE), ...mount('status', CONDITIONS) },
  fieldLabels: ['status.replicas'],
  printer: replicationControllerPrinter,
  protobuf: null,
});
