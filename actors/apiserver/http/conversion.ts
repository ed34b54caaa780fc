/**
 * The front's side of the conversion seam (api/conversion/converter.ts): for a kind asked for
 * at one of its served versions, the converter that turns what the apiserver answers (at the
 * serving version, or at an older storage version it was written at) into the asked version,
 * and what the client sends into the serving version. `None` rewrites apiVersion here;
 * `Functions` runs the kind's pure conversion here; `Webhook` asks the apiserver
 * (`api.convert`), which calls the CRD's conversion webhook.
 */
import { fail, ok, type Result } from '../../../base/status.ts';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { groupVersion, type ServedKind } from '../../../api/discovery/types.ts';
import { functionsConverter, pendingConversion, rewriteConverter, type Converter } from '../../../api/conversion/converter.ts';
import { isObject } from '../../../api/json.ts';
import type { FrontContext } from './context.ts';

/** A request's conversion: the apiVersion asked for, the one the apiserver serves, and how to go between them. */
export interface FrontConversion {
  readonly asked: string;
  readonly serving: string;
  readonly kind: string;
  readonly converter: Converter;
}

/** A webhook's answer can take its full 30 s (upstream's conversion webhook timeout): the bus must wait longer. */
const WEBHOOK_WAIT_MS = 35_000;

function webhookConverter(ctx: FrontContext, k: ServedKind): Converter {
  return {
    rewritesOnly: false,
    async convert(objects, apiVersion) {
      const pending = pendingConversion(objects, apiVersion);
      if (pending.length === 0) return ok([...objects]);
      const payload = { group: k.group, resource: k.resource, apiVersion, objects: pending.map((i) => objects[i]!) };
      const r = await ctx.port.request(ctx.apiserver, 'api.convert', payload, { timeoutMs: Math.max(ctx.requestTimeoutMs, WEBHOOK_WAIT_MS) });
      if (!r.ok) return r;
      const out = [...objects];
      pending.forEach((i, j) => (out[i] = r.value.objects[j]!));
      return ok(out);
    },
  };
}

/**
 * The conversion a request for `k` needs; undefined for a kind served at one version only.
 * A kind with several served versions gets one even when asked at the serving version: an
 * object written at an older storage version is still converted on the way out.
 */
export function frontConversion(ctx: FrontContext, k: ServedKind & { servedVersions?: readonly string[] }): FrontConversion | undefined {
  const several = (k.servedVersions?.length ?? 0) > 1 || (k.servedAs !== undefined && k.servedAs !== k.version);
  if (!several) return undefined;
  const c = k.conversion;
  const converter = c?.strategy === 'Webhook' ? webhookConverter(ctx, k) : c?.strategy === 'Functions' ? functionsConverter(c.convert) : rewriteConverter;
  return { asked: groupVersion(k.group, k.version), serving: groupVersion(k.group, k.servedAs ?? k.version), kind: k.kind, converter };
}

/** Only objects of the kind itself convert (not a Scale, a Status, a bookmark's bare metadata). */
const isOfKind = (c: FrontConversion, o: unknown): o is KubeObject => isObject(o) && (o.kind === c.kind || o.kind === undefined);

async function one(c: FrontConversion, obj: KubeObject, to: string): Promise<Result<KubeObject>> {
  if (!isOfKind(c, obj)) return ok(obj);
  const r = await c.converter.convert([obj.apiVersion ? obj : { ...obj, apiVersion: c.serving }], to);
  return r.ok ? ok(r.value[0]!) : r;
}

/** What the apiserver answered, at the version the client asked for. */
export const toAsked = (c: FrontConversion | undefined, obj: KubeObject): Promise<Result<KubeObject>> => (c ? one(c, obj, c.asked) : Promise.resolve(ok(obj)));

/** What the client sent, at the version the apiserver serves (a body without apiVersion is taken as the asked one). */
export function toServing(c: FrontConversion | undefined, obj: KubeObject): Promise<Result<KubeObject>> {
  if (!c) return Promise.resolve(ok(obj));
  return one(c, obj.apiVersion ? obj : { ...obj, apiVersion: c.asked }, c.serving);
}

/** A `<Kind>List` at the asked version: its items in one batch (one ConversionReview per page, as upstream). */
export async function listToAsked(c: FrontConversion | undefined, list: KubeObject & { items?: unknown }): Promise<Result<KubeObject>> {
  if (!c) return ok(list);
  const items = Array.isArray(list.items) ? (list.items as KubeObject[]) : [];
  const r = await c.converter.convert(items.map((i) => (i.apiVersion ? i : { ...i, apiVersion: c.serving })), c.asked);
  if (!r.ok) return r;
  return ok({ ...list, apiVersion: c.asked, items: r.value });
}

/** Watch events at the asked version, in order; bookmarks only relabelled; a failure fails the batch. */
export async function eventsToAsked<E extends { type: string; object: KubeObject }>(c: FrontConversion | undefined, events: readonly E[]): Promise<Result<E[]>> {
  if (!c) return ok([...events]);
  const idx = events.flatMap((e, i) => (e.type !== 'ERROR' && e.type !== 'BOOKMARK' && isOfKind(c, e.object) ? [i] : []));
  const objs = idx.map((i) => events[i]!.object);
  const r = await c.converter.convert(objs.map((o) => (o.apiVersion ? o : { ...o, apiVersion: c.serving })), c.asked);
  if (!r.ok) return fail(r.status);
  const out = events.map((e) => (e.type === 'BOOKMARK' && isObject(e.object) ? { ...e, object: { ...e.object, apiVersion: c.asked } } : e));
  idx.forEach((i, j) => (out[i] = { ...events[i]!, object: r.value[j]! }));
  return ok(out);
}
