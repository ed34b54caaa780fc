import type { IncomingMessage, ServerResponse } from 'node:http';
import { aggregatedDiscovery } from '../../../api/discovery/aggregated.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from '../../../api/discovery/legacy.ts';
import type { FrontContext } from './context.ts';
import { AGGREGATED_DISCOVERY, wantsAggregated } from './negotiate.ts';
import { pathNotFound, sendJson, sendStatus } from './respond.ts';
import type { Route } from './route.ts';

type DiscoveryRoute = Extract<Route, { type: 'core-versions' | 'groups' | 'group' | 'resources' }>;

/**
 * The discovery endpoints: aggregated v2 on /api and /apis when Accept asks for it (with
 * the exact Content-Type kubectl checks), the legacy documents otherwise.
 */
export function serveDiscovery(ctx: FrontContext, route: DiscoveryRoute, req: IncomingMessage, res: ServerResponse): void {
  const aggregated = wantsAggregated(req.headers.accept);
  switch (route.type) {
    case 'core-versions':
      if (aggregated) return sendJson(res, aggregatedDiscovery(ctx.kinds, true), 200, AGGREGATED_DISCOVERY);
      return sendJson(res, apiVersions(req.headers.host ?? '127.0.0.1'));
    case 'groups':
      if (aggregated) return sendJson(res, aggregatedDiscovery(ctx.kinds, false), 200, AGGREGATED_DISCOVERY);
      return sendJson(res, apiGroupList(ctx.kinds));
    case 'group': {
      const g = apiGroup(ctx.kinds, route.group);
      return g ? sendJson(res, g) : sendStatus(res, pathNotFound());
    }
    case 'resources': {
      const list = apiResourceList(ctx.kinds, route.group, route.version);
      return list ? sendJson(res, list) : sendStatus(res, pathNotFound());
    }
  }
}
