/**
 * The OpenAPI v3 document of one group-version (/openapi/v3/api/v1,
 * /openapi/v3/apis/<group>/<version>): a path per kind and scope with Kubernetes'
 * operations. What clients rely on:
 *
 * - every PATCH operation carries `x-kubernetes-group-version-kind` and a `fieldValidation`
 *   query parameter, so kubectl's default --validate=strict sends fieldValidation=Strict and
 *   leaves validation to the server;
 * - PATCH operations declare no request body: kubectl then computes a strategic merge patch
 *   from /openapi/v2's patch extensions (api/openapi/v2.ts), as it does against a server
 *   whose v3 lacks them.
 */
import { groupVersion, type ServedKind } from '../discovery/types.ts';
import { componentSchemas, schemaName, type Descriptions } from './schemas.ts';

type Json = Record<string, unknown>;

const q = (name: string, description: string, type = 'string'): Json => ({ name, in: 'query', description, schema: { type }, uniqueItems: true });

const PARAMS = {
  dryRun: q('dryRun', 'When present, indicates that modifications should not be persisted. Valid value: All'),
  fieldManager: q('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: q('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values: Ignore, Warn, Strict'),
  force: q('force', 'Force is going to "force" Apply requests.', 'boolean'),
  pretty: q('pretty', "If 'true', then the output is pretty printed."),
  labelSelector: q('labelSelector', 'A selector to restrict the list of returned objects by their labels.'),
  fieldSelector: q('fieldSelector', 'A selector to restrict the list of returned objects by their fields.'),
  limit: q('limit', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  continue: q('continue', 'The continue option should be set when retrieving more results from the server.'),
  resourceVersion: q('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  resourceVersionMatch: q('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  watch: q('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK".', 'boolean'),
  timeoutSeconds: q('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', 'integer'),
  propagationPolicy: q('propagationPolicy', "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'."),
};
const pathParam = (name: string): Json => ({ name, in: 'path', required: true, description: `${name} of the resource`, schema: { type: 'string' }, uniqueItems: true });

const LIST_PARAMS = [PARAMS.labelSelector, PARAMS.fieldSelector, PARAMS.limit, PARAMS.continue, PARAMS.resourceVersion, PARAMS.resourceVersionMatch, PARAMS.watch, PARAMS.allowWatchBookmarks, PARAMS.timeoutSeconds];
const WRITE_PARAMS = [PARAMS.dryRun, PARAMS.fieldManager, PARAMS.fieldValidation];

function op(k: ServedKind, action: string, verb: string, parameters: Json[], sub = ''): Json {
  const title = k.kind + sub;
  const ref = { $ref: `#/components/schemas/${schemaName(k)}` };
  return {
    tags: [k.group ? `${k.group.split('.')[0]}_${k.version}` : `core_${k.version}`],
    description: `${verb} the specified ${title}`,
    operationId: `${verb}${k.namespaced ? 'Namespaced' : ''}${title}`,
    parameters,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } }, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: k.group, version: k.version, kind: k.kind },
  };
}

/** The paths of one kind: collection and item, namespaced or not, plus its status/scale subresources. */
function kindPaths(k: ServedKind): Record<string, Json> {
  const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  const scoped = k.namespaced ? `${base}/namespaces/{namespace}/${k.resource}` : `${base}/${k.resource}`;
  const scope = k.namespaced ? [pathParam('namespace')] : [];
  const has = (v: string) => k.verbs.includes(v);
  const collection: Json = { parameters: [...scope, PARAMS.pretty] };
  if (has('list')) collection.get = op(k, 'list', 'list', LIST_PARAMS);
  if (has('create')) collection.post = op(k, 'post', 'create', WRITE_PARAMS);
  if (has('deletecollection')) collection.delete = op(k, 'deletecollection', 'deletecollection', [...LIST_PARAMS, PARAMS.dryRun, PARAMS.gracePeriodSeconds, PARAMS.propagationPolicy]);
  const item: Json = { parameters: [pathParam('name'), ...scope, PARAMS.pretty] };
  if (has('get')) item.get = op(k, 'get', 'read', []);
  if (has('update')) item.put = op(k, 'put', 'replace', WRITE_PARAMS);
  if (has('patch')) item.patch = op(k, 'patch', 'patch', [...WRITE_PARAMS, PARAMS.force]);
  if (has('delete')) item.delete = op(k, 'delete', 'delete', [PARAMS.dryRun, PARAMS.gracePeriodSeconds, PARAMS.propagationPolicy]);
  const paths: Record<string, Json> = { [scoped]: collection, [`${scoped}/{name}`]: item };
  if (k.namespaced && has('list')) paths[`${base}/${k.resource}`] = { parameters: [PARAMS.pretty], get: op(k, 'list', 'list', LIST_PARAMS, 'ForAllNamespaces') };
  return paths;
}

/** The OpenAPI v3 document of a group-version, or undefined when it is not served. */
export function openapiDocument(kinds: readonly ServedKind[], group: string, version: string, describe?: Descriptions): Json | undefined {
  const served = kinds.filter((k) => k.group === group && k.version === version);
  if (served.length === 0) return undefined;
  const paths: Record<string, Json> = {};
  for (const k of served) Object.assign(paths, kindPaths(k));
  const schemas = componentSchemas(served, describe);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.4' },
    paths,
    components: { schemas, securitySchemes: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' } } },
    security: [{ BearerToken: [] }],
  };
}

/** The root's key for a group-version: "api/v1", "apis/apps/v1". */
export function openapiPrefix(group: string, version: string): string {
  return group ? `apis/${groupVersion(group, version)}` : `api/${version}`;
}
