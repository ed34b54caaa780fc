/** The flow-control configuration as the apiserver's watch cache holds it. */
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.js';
import type { WatchCache } from '../watch-cache.ts';
import type { FlowConfigSource } from './controller.ts';

const FLOW_SCHEMAS = 'flowschemas.flowcontrol.apiserver.k8s.io';
const PRIORITY_LEVELS = 'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io';

export function cacheConfigSource(cache: WatchCache): FlowConfigSource {
  return {
    flowSchemas: () => [...cache.resource(FLOW_SCHEMAS).items.values()] as unknown as FlowSchema[],
    priorityLevels: () => [...cache.resource(PRIORITY_LEVELS).items.values()] as unknown as PriorityLevelConfiguration[],
    onChange: (listener) => cache.onEvents((gr) => {
      if (gr === FLOW_SCHEMAS || gr === PRIORITY_LEVELS) listener();
    }),
  };
}
