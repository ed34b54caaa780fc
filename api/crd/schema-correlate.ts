/**
 * Old-to-new correlation of list items (apiextensions' ratcheting and CEL `oldSelf`): an
 * item of an `x-kubernetes-list-type: map` list is the "same" item as the old one with the
 * same map keys, an item of a `set` the equal old item; atomic lists have no correlation.
 */
import { deepEqual, isObject, own } from '../json.ts';
import type { SchemaProps } from './schema-props.ts';

/** For a list of schema `s` whose old value is `old`: the old item of each new item (undefined when none). */
export function correlateItems(s: SchemaProps, old: unknown, withSets = true): (item: unknown) => unknown {
  if (!Array.isArray(old)) return () => undefined;
  const type = s['x-kubernetes-list-type'];
  if (type === 'set' && withSets) return (x) => old.find((o) => deepEqual(o, x));
  if (type !== 'map') return () => undefined;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const id = (x: unknown) => JSON.stringify(keys.map((k) => (isObject(x) ? own(x, k) ?? null : null)));
  const byKey = new Map(old.map((o) => [id(o), o]));
  return (x) => byKey.get(id(x));
}
