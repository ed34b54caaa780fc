import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { openapiDocument } from '../../../api/openapi/document.ts';
import { openapiRoot, parsePrefix } from '../../../api/openapi/root.ts';
import { swaggerDocument } from '../../../api/openapi/v2.ts';
import { encodeSwaggerDocument } from './protobuf/openapi-v2.ts';
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

/** The v2 document per kinds table, in JSON and in gnostic's protobuf, each built on first ask. */
const v2Cache = new WeakMap<object, { json?: Buffer; proto?: Buffer }>();

/** client-go's OpenAPISchema() asks for this and parses nothing else; kube-openapi answers in the older spelling. */
const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const V2_PROTOBUF_SERVED = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

function serveV2(ctx: FrontContext, req: IncomingMessage, res: ServerResponse): void {
  let entry = v2Cache.get(ctx.kinds);
  if (!entry) v2Cache.set(ctx.kinds, (entry = {}));
  const accept = req.headers.accept ?? '';
  const proto = accept.includes(V2_PROTOBUF) || accept.includes(V2_PROTOBUF_SERVED);
  const body = proto
    ? (entry.proto ??= encodeSwaggerDocument(swaggerDocument(ctx.kinds)))
    : (entry.json ??= Buffer.from(JSON.stringify(swaggerDocument(ctx.kinds))));
  res.writeHead(200, { 'Content-Type': proto ? V2_PROTOBUF_SERVED : 'application/json', 'Content-Length': body.length });
  res.end(body);
}

/**
 * /openapi/v3 (the root), /openapi/v3/<prefix> (one group-version's document) and /openapi/v2
 * (api/openapi/v2.ts says what kubectl still reads from it).
 */
export function serveOpenApi(ctx: FrontContext, route: OpenApiRoute, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  if (route.type === 'openapi-root') return sendJson(res, openapiRoot(ctx.kinds, (p) => documentOf(ctx, p)?.hash ?? ''));
  if (route.type === 'openapi-v2') return serveV2(ctx, req, res);
  const doc = documentOf(ctx, route.prefix);
  if (!doc) return sendStatus(res, pathNotFound());
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(doc.text), 'Cache-Control': 'public, immutable' });
  res.end(doc.text);
}
