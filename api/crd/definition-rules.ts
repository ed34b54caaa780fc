/**
 * Validation and defaulting of a CustomResourceDefinition, as apiextensions-apiserver's
 * ValidateCustomResourceDefinition / ValidateCustomResourceDefinitionUpdate and the v1
 * defaulters have them: the name rule (plural.group), the group, scope, names, versions
 * (exactly one storage version, at least one served), subresources, printer columns,
 * conversion, selectable fields, and the structural schema's own errors (compileStructuralSchema).
 */
import type { StatusCause } from '../../base/status.ts';
import { child, forbidden, immutable, index, invalid, notSupported, required } from '../validation/errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { isDNS1035Label, isDNS1123Subdomain, nameIsDNSSubdomain } from '../validation/names.ts';
import { clone, deepEqual, type JsonObject } from '../json.ts';
import { compileStructuralSchema } from './structural.ts';
import { validateClientConfig } from '../admission/validate-webhooks.ts';
import { CONVERSION_REVIEW_VERSIONS } from './conversion-review.ts';
import { validateSelectableFields } from './selectable-fields.ts';
import type { CustomResourceDefinition, CustomResourceDefinitionNames, CustomResourceDefinitionVersion } from './types.ts';

const SCOPES = ['Cluster', 'Namespaced'];
const COLUMN_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];
const COLUMN_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password'];
const STRATEGIES = ['None', 'Webhook'];

/** The v1 defaulters: singular and listKind from the kind, conversion None. A new object. */
export function defaultCustomResourceDefinition(crd: CustomResourceDefinition): CustomResourceDefinition {
  const out = clone(crd as unknown as JsonObject) as unknown as CustomResourceDefinition;
  const spec = out.spec ?? ({} as CustomResourceDefinition['spec']);
  const names = spec.names ?? ({} as CustomResourceDefinitionNames);
  if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  if (!spec.conversion) spec.conversion = { strategy: 'None' };
  return out;
}

function validateNames(n: CustomResourceDefinitionNames | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const names = n ?? ({} as CustomResourceDefinitionNames);
  const label = (field: string, value: string | undefined, need: boolean): void => {
    if (!value) {
      if (need) errs.push(required(child(path, field), ''));
      return;
    }
    const e = isDNS1035Label(value);
    if (e.length) errs.push(invalid(child(path, field), value, e.join(',')));
  };
  label('plural', names.plural, true);
  label('singular', names.singular, false);
  const kindLike = (field: string, value: string | undefined): void => {
    if (!value) return void errs.push(required(child(path, field), ''));
    const e = isDNS1035Label(value.toLowerCase());
    if (e.length) errs.push(invalid(child(path, field), value, `may have mixed case, but should otherwise match: ${e.join(',')}`));
  };
  kindLike('kind', names.kind);
  kindLike('listKind', names.listKind);
  if (names.kind && names.kind === names.listKind) errs.push(invalid(child(path, 'listKind'), names.listKind, 'kind and listKind may not be the same'));
  for (const [i, s] of (names.shortNames ?? []).entries()) {
    const e = isDNS1035Label(s);
    if (e.length) errs.push(invalid(index(child(path, 'shortNames'), i), s, e.join(',')));
  }
  for (const [i, c] of (names.categories ?? []).entries()) {
    const e = isDNS1035Label(c);
    if (e.length) errs.push(invalid(index(child(path, 'categories'), i), c, e.join(',')));
  }
  return errs;
}

function validateVersion(v: CustomResourceDefinitionVersion, path: string, old: CustomResourceDefinitionVersion | undefined): StatusCause[] {
  const errs: StatusCause[] = [];
  const e = isDNS1035Label(v.name ?? '');
  if (!v.name) errs.push(required(child(path, 'name'), ''));
  else if (e.length) errs.push(invalid(child(path, 'name'), v.name, e.join(',')));
  const schema = v.schema?.openAPIV3Schema as JsonObject | undefined;
  if (!schema) errs.push(required(child(path, 'schema', 'openAPIV3Schema'), 'schemas are required'));
  else {
    // As upstream, a schema an update leaves as it was keeps rules now estimated over the per-rule limit.
    const unchanged = old !== undefined && deepEqual(old.schema?.openAPIV3Schema, schema);
    errs.push(...compileStructuralSchema(schema, child(path, 'schema', 'openAPIV3Schema'), { unchanged }).errors);
  }
  const scale = v.subresources?.scale;
  if (scale) {
    const sp = child(path, 'subresources', 'scale');
    if (!scale.specReplicasPath) errs.push(required(child(sp, 'specReplicasPath'), ''));
    else if (!scale.specReplicasPath.startsWith('.spec.')) errs.push(invalid(child(sp, 'specReplicasPath'), scale.specReplicasPath, 'should be a json path under .spec'));
    if (!scale.statusReplicasPath) errs.push(required(child(sp, 'statusReplicasPath'), ''));
    else if (!scale.statusReplicasPath.startsWith('.status.')) errs.push(invalid(child(sp, 'statusReplicasPath'), scale.statusReplicasPath, 'should be a json path under .status'));
    const sel = scale.labelSelectorPath;
    if (sel && !sel.startsWith('.spec.') && !sel.startsWith('.status.')) errs.push(invalid(child(sp, 'labelSelectorPath'), sel, 'should be a json path under either .spec or .status'));
  }
  for (const [i, c] of (v.additionalPrinterColumns ?? []).entries()) {
    const cp = index(child(path, 'additionalPrinterColumns'), i);
    if (!c.name) errs.push(required(child(cp, 'name'), ''));
    if (!COLUMN_TYPES.includes(c.type)) errs.push(notSupported(child(cp, 'type'), c.type ?? '', COLUMN_TYPES));
    if (c.format && !COLUMN_FORMATS.includes(c.format)) errs.push(notSupported(child(cp, 'format'), c.format, COLUMN_FORMATS));
    if (!c.jsonPath) errs.push(required(child(cp, 'JSONPath'), ''));
    if ((c.priority ?? 0) < 0) errs.push(invalid(child(cp, 'priority'), c.priority, 'must be greater than or equal to 0'));
  }
  errs.push(...validateSelectableFields(v, path));
  return errs;
}

function validateSpec(crd: CustomResourceDefinition, old: CustomResourceDefinition | undefined): StatusCause[] {
  const errs: StatusCause[] = [];
  const spec = crd.spec ?? ({} as CustomResourceDefinition['spec']);
  if (!spec.group) errs.push(required('spec.group', ''));
  else {
    for (const m of isDNS1123Subdomain(spec.group)) errs.push(invalid('spec.group', spec.group, m));
    if (spec.group.split('.').length < 2) errs.push(invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  }
  if (!spec.scope) errs.push(required('spec.scope', ''));
  else if (!SCOPES.includes(spec.scope)) errs.push(notSupported('spec.scope', spec.scope, SCOPES));
  errs.push(...validateNames(spec.names, 'spec.names'));
  const versions = spec.versions ?? [];
  if (versions.length === 0) errs.push(required('spec.versions', 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  for (const [i, v] of versions.entries()) {
    errs.push(...validateVersion(v, index('spec.versions', i), old?.spec?.versions?.find((o) => o.name === v.name)));
    if (v.name && seen.has(v.name)) errs.push(invalid(child(index('spec.versions', i), 'name'), v.name, 'must be unique'));
    seen.add(v.name);
  }
  if (versions.length > 0) {
    if (versions.filter((v) => v.storage).length !== 1) errs.push(invalid('spec.versions', versions.map((v) => v.name), 'must have exactly one version marked as storage version'));
    if (!versions.some((v) => v.served)) errs.push(invalid('spec.versions', versions.map((v) => v.name), 'must have at least one version marked as served'));
  }
  errs.push(...validateConversion(spec.conversion));
  return errs;
}

/**
 * ValidateCustomResourceConversion. Its field paths are the internal type's, as upstream
 * reports them for v1 too: `webhook.clientConfig` is `webhookClientConfig`, and
 * `webhook.conversionReviewVersions` is `conversionReviewVersions`.
 */
function validateConversion(conversion: CustomResourceDefinition['spec']['conversion']): StatusCause[] {
  const strategy = conversion?.strategy ?? 'None';
  if (!STRATEGIES.includes(strategy)) return [notSupported('spec.conversion.strategy', strategy, STRATEGIES)];
  const cc = conversion?.webhook?.clientConfig;
  const versions = conversion?.webhook?.conversionReviewVersions ?? [];
  const errs: StatusCause[] = [];
  if (strategy === 'Webhook') {
    if (!cc) errs.push(required('spec.conversion.webhookClientConfig', 'required when strategy is set to Webhook'));
    else errs.push(...validateClientConfig(cc, 'spec.conversion.webhookClientConfig'));
    errs.push(...validateConversionReviewVersions(versions, 'spec.conversion.conversionReviewVersions'));
    return errs;
  }
  if (cc) errs.push(forbidden('spec.conversion.webhookClientConfig', 'should not be set when strategy is not set to Webhook'));
  if (versions.length) errs.push(forbidden('spec.conversion.conversionReviewVersions', 'should not be set when strategy is not set to Webhook'));
  return errs;
}

/** validateConversionReviewVersions with a recognized version required (a create, or an update that changes them). */
function validateConversionReviewVersions(versions: readonly string[], path: string): StatusCause[] {
  if (versions.length === 0) return [required(path, '')];
  const errs: StatusCause[] = [];
  const seen = new Set<string>();
  for (const [i, v] of versions.entries()) {
    if (seen.has(v)) {
      errs.push(invalid(index(path, i), v, 'duplicate version'));
      continue;
    }
    seen.add(v);
    errs.push(...isDNS1035Label(v).map((m) => invalid(index(path, i), v, m)));
  }
  const known: readonly string[] = CONVERSION_REVIEW_VERSIONS;
  if (!versions.some((v) => known.includes(v))) errs.push(invalid(path, versions, `must include at least one of ${[...known].sort().join(', ')}`));
  return errs;
}

/** ValidateCustomResourceDefinition (`old` makes it the update's validation). */
export function validateCustomResourceDefinition(crd: CustomResourceDefinition, old?: CustomResourceDefinition): StatusCause[] {
  const errs = old ? validateObjectMetaUpdate(crd.metadata, old.metadata) : validateObjectMeta(crd.metadata, false, nameIsDNSSubdomain);
  const name = crd.metadata?.name ?? '';
  const want = `${crd.spec?.names?.plural ?? ''}.${crd.spec?.group ?? ''}`;
  if (name && name !== want) errs.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  errs.push(...validateSpec(crd, old));
  if (old) {
    errs.push(...immutable('spec.group', crd.spec?.group ?? '', crd.spec?.group !== old.spec?.group));
    errs.push(...immutable('spec.scope', crd.spec?.scope ?? '', crd.spec?.scope !== old.spec?.scope));
    const stored = old.status?.storedVersions ?? [];
    const names = new Set((crd.spec?.versions ?? []).map((v) => v.name));
    for (const [i, s] of stored.entries()) {
      if (!names.has(s)) errs.push(invalid(index('status.storedVersions', i), s, 'must appear in spec.versions'));
    }
  }
  return errs;
}
