/**
 * kube-apiserver's --encryption-provider-config: an apiserver.config.k8s.io/v1
 * EncryptionConfiguration (YAML or JSON) read once at start, checked with upstream's
 * validation and messages, and turned into one transformer per listed resource
 * (transformer.ts). A bad file is an error before anything starts.
 *
 * ```yaml
 * apiVersion: apiserver.config.k8s.io/v1
 * kind: EncryptionConfiguration
 * resources:
 *   - resources: [secrets]
 *     providers:
 *       - aescbc: { keys: [{ name: key1, secret: <base64 of 32 random bytes> }] }
 *       - identity: {}
 * ```
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { aesCbc, aesGcm, secretbox, type Cipher } from './providers.ts';

/** One provider of a resource list, as the transformer uses it: identity, or a cipher family with its named keys (the first encrypts). */
export type Provider = { type: 'identity' } | { type: 'aescbc' | 'aesgcm' | 'secretbox'; keys: { name: string; cipher: Cipher }[] };

/** One `resources[i]` entry: the resources it covers (as written: `secrets`, `deployments.apps`, `*.`, `*.apps`, `*.*`) and its providers in order. */
export interface ResourceEncryption {
  resources: string[];
  providers: Provider[];
}

export interface EncryptionConfig {
  entries: ResourceEncryption[];
}

const CIPHERS = { aescbc: aesCbc, aesgcm: aesGcm, secretbox } as const;
const KEY_SIZES: Record<keyof typeof CIPHERS, number[]> = { aescbc: [16, 24, 32], aesgcm: [16, 24, 32], secretbox: [32] };
const PROVIDER_NAMES = ['kms', 'aesgcm', 'aescbc', 'secretbox', 'identity'] as const;
const NO_PROVIDER = 'provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity';

/** Reads and checks the file; throws an Error with kube-apiserver's message when it cannot be used. */
export function loadEncryptionConfig(path: string): EncryptionConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`error while parsing file: error opening encryption provider configuration file "${path}": ${(e as Error).message}`);
  }
  if (text.trim() === '') throw new Error(`error while parsing file: encryption provider configuration file "${path}" is empty`);
  try {
    return parseEncryptionConfig(text);
  } catch (e) {
    throw new Error(`error while parsing file: ${(e as Error).message}`);
  }
}

/** The configuration in `text` (YAML or JSON); throws with the field errors, as upstream aggregates them. */
export function parseEncryptionConfig(text: string): EncryptionConfig {
  const doc = parseYaml(text) as Record<string, unknown> | null;
  if (!isRecord(doc)) throw new Error('the encryption provider configuration is not an object');
  if (doc.kind !== 'EncryptionConfiguration' || doc.apiVersion !== 'apiserver.config.k8s.io/v1') {
    throw new Error(`got unexpected config type: ${String(doc.apiVersion ?? '')}, Kind=${String(doc.kind ?? '')} (want apiserver.config.k8s.io/v1, Kind=EncryptionConfiguration)`);
  }
  const errs: string[] = [];
  const resources = Array.isArray(doc.resources) ? doc.resources : [];
  if (resources.length === 0) errs.push('resources: Required value: at least one resources is required');
  const entries: ResourceEncryption[] = [];
  resources.forEach((raw, i) => {
    const at = `resources[${i}]`;
    const conf = isRecord(raw) ? raw : {};
    const names = Array.isArray(conf.resources) ? conf.resources.map(String) : [];
    if (names.length === 0) errs.push(`${at}.resources: Required value: at least one ${at}.resources is required`);
    errs.push(...resourceNameErrors(names, `${at}.resources`));
    const rawProviders = Array.isArray(conf.providers) ? conf.providers : [];
    if (rawProviders.length === 0) errs.push(`${at}.providers: Required value: at least one ${at}.providers is required`);
    const providers: Provider[] = [];
    rawProviders.forEach((p, j) => {
      const built = provider(isRecord(p) ? p : {}, `${at}.providers[${j}]`, errs);
      if (built) providers.push(built);
    });
    entries.push({ resources: names, providers });
  });
  if (errs.length === 1) throw new Error(errs[0]);
  if (errs.length > 1) throw new Error(`[${errs.join(', ')}]`);
  return { entries };
}

function provider(p: Record<string, unknown>, at: string, errs: string[]): Provider | null {
  const present = PROVIDER_NAMES.filter((n) => p[n] !== undefined && p[n] !== null);
  if (present.length === 0) return void errs.push(`${at}: Invalid value: ${JSON.stringify(p)}: ${NO_PROVIDER}`), null;
  if (present.length > 1) return void errs.push(`${at}: Invalid value: ${JSON.stringify(Object.keys(p))}: more than one provider specified in a single element, should split into different list elements`), null;
  const type = present[0]!;
  if (type === 'identity') return { type };
  if (type === 'kms') return void errs.push(`${at}.kms: Unsupported value: kubeactor has no KMS plugins; use aescbc, aesgcm, secretbox or identity`), null;
  const conf = p[type];
  const rawKeys = isRecord(conf) && Array.isArray(conf.keys) ? conf.keys : [];
  const keysAt = `${at}.${type}.keys`;
  if (rawKeys.length === 0) return void errs.push(`${keysAt}: Required value: at least one keys is required`), null;
  const keys: { name: string; cipher: Cipher }[] = [];
  const before = errs.length;
  rawKeys.forEach((k, n) => {
    const key = isRecord(k) ? k : {};
    const name = typeof key.name === 'string' ? key.name : '';
    const secret = typeof key.secret === 'string' ? key.secret : '';
    if (!name) errs.push(`${keysAt}[${n}].name: Required value: name is a mandatory field for a key`);
    if (!secret) return void errs.push(`${keysAt}[${n}].secret: Required value: secret is a mandatory field for a key`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(secret) || secret.length % 4 !== 0) return void errs.push(`${keysAt}[${n}].secret: Invalid value: "REDACTED": secrets must be base64 encoded`);
    const bytes = Buffer.from(secret, 'base64');
    const sizes = KEY_SIZES[type];
    if (!sizes.includes(bytes.length)) return void errs.push(`${keysAt}[${n}].secret: Invalid value: "REDACTED": secret is not of the expected length, got ${bytes.length}, expected one of [${sizes.join(' ')}]`);
    keys.push({ name, cipher: CIPHERS[type](bytes) });
  });
  return errs.length === before ? { type, keys } : null;
}

const NON_REST = new Set(['apiserveripinfo', 'serviceipallocations', 'servicenodeportallocations']);

/** validateResourceNames and validateResourceOverlap, with upstream's messages. */
function resourceNameErrors(names: string[], at: string): string[] {
  const errs: string[] = [];
  names.forEach((res, j) => {
    const bad = (why: string) => errs.push(`${at}[${j}]: Invalid value: ${JSON.stringify(res)}: ${why}`);
    const { group, resource } = parseGroupResource(res);
    if (res.toLowerCase() !== res) bad('resource name should not contain capital letters');
    else if (res === '*') bad("use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources");
    else if (NON_REST.has(res)) bad('resources which do not have REST API/s cannot be encrypted');
    else if (group === 'events.k8s.io') bad("'*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file");
    else if (group === 'extensions') bad("'extensions' group has been removed and cannot be used for encryption");
    else if (group === '*' && resource !== '*') bad('encrypting the same resource across groups is not supported');
  });
  const parsed = names.map(parseGroupResource);
  const list = JSON.stringify(names);
  const dup = parsed.some((a, i) => parsed.some((b, j) => i !== j && a.group === b.group && a.resource === b.resource));
  if (dup) errs.push(`${at}: Invalid value: ${list}: the same resource cannot be specified multiple times`);
  const overlap =
    names.length > 1 &&
    parsed.some((a, i) => parsed.some((b, j) => i !== j && ((a.group === '*' && a.resource === '*') || (a.group === b.group && (a.resource === '*' || b.resource === '*')))));
  if (overlap) errs.push(`${at}: Invalid value: ${list}: using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked`);
  return errs;
}

/** schema.ParseGroupResource: "deployments.apps" → apps/deployments; "secrets" → core/secrets; "*." → core/*. */
export function parseGroupResource(s: string): { group: string; resource: string } {
  const i = s.indexOf('.');
  return i < 0 ? { group: '', resource: s } : { group: s.slice(i + 1), resource: s.slice(0, i) };
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
