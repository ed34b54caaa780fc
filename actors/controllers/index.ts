export { controllerActor, type ControllerHandle, type ControllerActorOptions } from './actor.ts';
export { ApiClient, isAlreadyExists, isConflict, isNotFound, splitKey, targets, unwrap } from '../client/index.ts';
export { controllerAddress, type Controller, type ControllerContext, type ControllerDefinition, type InformerRequest, type ObjectHandlers, type SyncResult } from './framework.ts';
export { CONTROLLERS, controllerTable, findController } from './registry.ts';
export { selectControllers, startControllers, type RunningControllers, type StartControllersOptions } from './start.ts';
