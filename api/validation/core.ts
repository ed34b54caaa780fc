/** core/v1 validation of the smaller kinds: Namespace, Node, ConfigMap, Secret, ServiceAccount, Endpoints, Event. */
import type { ConfigMap, Endpoints, Event, Namespace, Node, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { deepEqual } from '../json.ts';
import { forbidden, immutable, index, invalid, key, notSupported, required, tooLong } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isQualifiedName, nameIsDNSLabel, nameIsDNSSubdomain, regexError, type NameValidator } from './names.ts';
import { isValidPortNum } from './container.ts';

type Meta = { metadata?: Namespace['metadata'] };

function meta(obj: Meta, old: Meta | undefined, namespaced: boolean, nameFn: NameValidator): StatusCause[] {
  return old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : validateObjectMeta(obj.metadata, namespaced, nameFn);
}

export function validateNamespace(ns: Namespace, old?: Namespace): StatusCause[] {
  const errs = meta(ns, old, false, nameIsDNSLabel);
  for (const [i, f] of (ns.spec?.finalizers ?? []).entries()) {
    for (const m of isQualifiedName(f)) errs.push(invalid(index('spec.finalizers', i), f, m));
  }
  return errs;
}

export function validateNode(node: Node, old?: Node): StatusCause[] {
  const errs = meta(node, old, false, nameIsDNSSubdomain);
  for (const [i, t] of (node.spec?.taints ?? []).entries()) {
    const p = index('spec.taints', i);
    if (!t.key) errs.push(required(`${p}.key`));
    else for (const m of isQualifiedName(t.key)) errs.push(invalid(`${p}.key`, t.key, m));
    if (!t.effect) errs.push(required(`${p}.effect`));
    else if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      errs.push(notSupported(`${p}.effect`, t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
  }
  return errs;
}

const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';
/** validation.IsConfigMapKey. */
export function isConfigMapKey(k: string): string[] {
  const errs: string[] = [];
  if (k.length > 253) errs.push('must be no more than 253 characters');
  if (!new RegExp(`^${CONFIG_KEY_FMT}$`).test(k)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  }
  if (k === '.') errs.push("must not be '.'");
  else if (k === '..') errs.push("must not be '..'");
  else if (k.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** 1 MiB: the most a ConfigMap's or Secret's data may hold. */
export const MAX_DATA_SIZE = 1024 * 1024;

function validateData(data: Record<string, string> | undefined, field: string, size: { n: number }): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const k of Object.keys(data ?? {}).sort()) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key(field, k), k, m));
    size.n += Buffer.byteLength(data?.[k] ?? '');
  }
  return errs;
}

function immutableData(obj: ConfigMap | Secret, old: ConfigMap | Secret | undefined): StatusCause[] {
  if (!old?.immutable) return [];
  const errs: StatusCause[] = [];
  if (!obj.immutable) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  if (!deepEqual(obj.data ?? {}, old.data ?? {})) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
  const bin = 'binaryData' in obj ? obj.binaryData : undefined;
  const oldBin = 'binaryData' in old ? old.binaryData : undefined;
  if (!deepEqual(bin ?? {}, oldBin ?? {})) errs.push(forbidden('binaryData', 'field is immutable when `immutable` is set'));
  return errs;
}

export function validateConfigMap(cm: ConfigMap, old?: ConfigMap): StatusCause[] {
  const errs = meta(cm, old, true, nameIsDNSSubdomain);
  const size = { n: 0 };
  errs.push(...validateData(cm.data, 'data', size), ...validateData(cm.binaryData, 'binaryData', size));
  for (const k of Object.keys(cm.binaryData ?? {}).sort()) {
    if (cm.data && Object.hasOwn(cm.data, k)) errs.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
  }
  if (size.n > MAX_DATA_SIZE) errs.push(tooLong('', MAX_DATA_SIZE));
  return [...errs, ...immutableData(cm, old)];
}

export function validateSecret(s: Secret, old?: Secret): StatusCause[] {
  const errs = meta(s, old, true, nameIsDNSSubdomain);
  const size = { n: 0 };
  errs.push(...validateData(s.data, 'data', size));
  if (size.n > MAX_DATA_SIZE) errs.push(tooLong('data', MAX_DATA_SIZE));
  if (old) errs.push(...immutable('type', s.type ?? '', (s.type ?? '') !== (old.type ?? '')));
  return [...errs, ...immutableData(s, old)];
}

export function validateServiceAccount(sa: ServiceAccount, old?: ServiceAccount): StatusCause[] {
  return meta(sa, old, true, nameIsDNSSubdomain);
}

export function validateEndpoints(ep: Endpoints, old?: Endpoints): StatusCause[] {
  const errs = meta(ep, old, true, nameIsDNSSubdomain);
  for (const [i, subset] of (ep.subsets ?? []).entries()) {
    for (const [j, p] of (subset.ports ?? []).entries()) {
      for (const m of isValidPortNum(p.port)) errs.push(invalid(`${index('subsets', i)}.${index('ports', j)}.port`, p.port, m));
    }
  }
  return errs;
}

export function validateEvent(ev: Event, old?: Event): StatusCause[] {
  const errs = meta(ev, old, true, nameIsDNSSubdomain);
  const ns = ev.involvedObject?.namespace;
  if (ns && ev.metadata?.namespace && ns !== ev.metadata.namespace) {
    errs.push(invalid('involvedObject.namespace', ns, 'does not match event.namespace'));
  }
  return errs;
}
