/**
 * The naming controller's decision (apiextensions-apiserver's naming controller,
 * calculateNamesAndConditions): which of a CRD's requested names are free in its group, the
 * NamesAccepted condition (NoConflicts, or PluralConflict / SingularConflict /
 * ShortNamesConflict / KindConflict / ListKindConflict with `"<name>" is already in use`),
 * and the Established condition that follows.
 */
import type { KindInfo } from '../kinds/info.ts';
import { ESTABLISHED, NAMES_ACCEPTED, type CustomResourceDefinition, type CustomResourceDefinitionCondition, type CustomResourceDefinitionNames } from './types.ts';

/** The names taken in a group by the kinds served there (besides the CRD's own). */
export interface TakenNames {
  resources: Set<string>;
  kinds: Set<string>;
}

/** The names `others` (the kinds served in the CRD's group, its own excluded) take. */
export function takenNames(others: readonly KindInfo[]): TakenNames {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const k of others) {
    for (const n of [k.resource, k.singular, ...k.shortNames]) resources.add(n);
    kinds.add(k.kind);
    kinds.add(k.listKind);
  }
  return { resources, kinds };
}

export interface NamingDecision {
  acceptedNames: CustomResourceDefinitionNames;
  namesAccepted: CustomResourceDefinitionCondition;
  established: CustomResourceDefinitionCondition;
}

/** The names and conditions for `crd` given what is `taken` (conditions without lastTransitionTime: the caller stamps it). */
export function decideNames(crd: CustomResourceDefinition, taken: TakenNames): NamingDecision {
  const requested = crd.spec.names;
  const accepted: CustomResourceDefinitionNames = { ...(crd.status?.acceptedNames ?? { plural: '', kind: '' }) };
  let conflict: { reason: string; message: string } | undefined;
  const check = (reason: string, names: readonly (string | undefined)[], pool: Set<string>, accept: () => void): void => {
    const used = names.find((n) => n !== undefined && n !== '' && pool.has(n));
    if (used === undefined) return accept();
    conflict ??= { reason, message: `${JSON.stringify(used)} is already in use` };
  };
  check('PluralConflict', [requested.plural], taken.resources, () => (accepted.plural = requested.plural));
  check('SingularConflict', [requested.singular], taken.resources, () => (accepted.singular = requested.singular));
  check('ShortNamesConflict', requested.shortNames ?? [], taken.resources, () => (accepted.shortNames = requested.shortNames));
  check('KindConflict', [requested.kind], taken.kinds, () => (accepted.kind = requested.kind));
  check('ListKindConflict', [requested.listKind], taken.kinds, () => (accepted.listKind = requested.listKind));
  accepted.categories = requested.categories;
  const namesAccepted: CustomResourceDefinitionCondition = conflict
    ? { type: NAMES_ACCEPTED, status: 'False', reason: conflict.reason, message: conflict.message }
    : { type: NAMES_ACCEPTED, status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  const established: CustomResourceDefinitionCondition = conflict
    ? (crd.status?.conditions?.find((c) => c.type === ESTABLISHED) ?? { type: ESTABLISHED, status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' })
    : { type: ESTABLISHED, status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };
  return { acceptedNames: clean(accepted), namesAccepted, established };
}

/** Drops the optional names left unset, as Go's omitempty does. */
function clean(n: CustomResourceDefinitionNames): CustomResourceDefinitionNames {
  const out: CustomResourceDefinitionNames = { plural: n.plural ?? '', kind: n.kind ?? '' };
  if (n.singular) out.singular = n.singular;
  if (n.shortNames?.length) out.shortNames = n.shortNames;
  if (n.listKind) out.listKind = n.listKind;
  if (n.categories?.length) out.categories = n.categories;
  return out;
}
