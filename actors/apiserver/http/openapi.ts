import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { openapiDocument } from '../../../api/openapi/document.ts';
import { openapiRoot, parsePrefix } from '../../../api/openapi/root.ts';
import { kubernetesTypesDescriptions } from './openapi-descriptions.ts';
import type { FrontContext } from './context.ts';
import { pathNotFound, sendJson, sendStatus } from './respond.ts';
import type { Route } from './route.ts';

type OpenApiRoute = Extract<Route, { type: 'openapi-root' | 'openapi-gv' | 'openapi-v2' }>;

/** Documents are pure functions of the served kinds, so each is built and hashed once per kinds table. */
const cache = new WeakMap<object, Map<string, { text: string; hash: string } | null>>();

function documentOf(ctx: FrontContext, prefix: string): { text: string; hash: string } | null {
  let byPrefix = cache.get(ctx.kinds);
  if (!byPrefix) cache.set(ctx.kinds, (byPrefix = new Map()));
  if (!byPrefix.has(prefix)) {
    const gv = parsePrefix(prefix);
    const doc = gv && openapiDocument(ctx.kinds, gv.group, gv.version, kubernetesTypesDescriptions);
    const text = doc ? JSON.stringify(doc) : null;
    byPrefix.set(prefix, text === null ? null : { text, hash: createHash('sha512').update(text).digest('hex').slice(0, 128).toUpperCase() });
  }
  return byPrefix.get(prefix) ?? null;
}

/**
 * /openapi/v3 (the root) and /openapi/v3/<prefix> (one group-version's document).
 * /openapi/v2 is not served: kubectl 1.32 uses v3 and falls back to its compiled-in types.
 */
export function serveOpenApi(ctx: FrontContext, route: OpenApiRoute, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  if (route.type === 'openapi-root') return sendJson(res, openapiRoot(ctx.kinds, (p) => documentOf(ctx, p)?.hash ?? ''));
  if (route.type === 'openapi-v2') return sendStatus(res, pathNotFound());
  const doc = documentOf(ctx, route.prefix);
  if (!doc) return sendStatus(res, pathNotFound());
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(doc.text), 'Cache-Control': 'public, immutable' });
  res.end(doc.text);
}
