/**
 * Validation of flowcontrol.apiserver.k8s.io/v1 FlowSchema and PriorityLevelConfiguration, as
 * Kubernetes' pkg/apis/flowcontrol/validation (messages and field paths kept). The mandatory
 * objects' specs are fixed (bar the exempt level's `exempt` stanza).
 */
import type {
  FlowSchema, FlowSchemaSpec, LimitResponse, NonResourcePolicyRule, PolicyRulesWithSubjects,
  PriorityLevelConfiguration, PriorityLevelConfigurationSpec, ResourcePolicyRule, Subject,
} from 'kubernetes-types/flowcontrol/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { deepEqual } from '../json.ts';
import { EXEMPT, mandatoryLevel, mandatorySchema } from '../flowcontrol/bootstrap.ts';
import { child, duplicate, forbidden, GoRaw, index, invalid, notSupported, required, type FieldPath } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Label, nameIsDNSSubdomain } from './names.ts';

const MAX_MATCHING_PRECEDENCE = 10000;
const MAX_QUEUES = 10_000_000;
/** shufflesharding.MaxHashBits. */
const MAX_HASH_BITS = 60;
const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'proxy', 'update', 'watch'];
const NS_INTRO = "each member of this list must be '*' or a DNS-1123 label; ";

/** A struct value in a message: its JSON, as the apiserver's ErrorBody renders structs. */
const struct = (v: unknown): GoRaw => new GoRaw(JSON.stringify(v ?? {}));

function meta(o: { metadata?: FlowSchema['metadata'] }, old?: { metadata?: FlowSchema['metadata'] }): StatusCause[] {
  return old ? validateObjectMetaUpdate(o.metadata, old.metadata) : validateObjectMeta(o.metadata, false, nameIsDNSSubdomain);
}

/** A list of names that may be ["*"] but not "*" among others; otherwise only `check` is applied. */
function wildcardList(values: readonly string[] | undefined, path: FieldPath, what: string, check?: (v: string, i: number) => StatusCause[]): StatusCause[] {
  const list = values ?? [];
  if (list.includes('*')) return list.length > 1 ? [invalid(path, list, `if '*' is present, must not specify other ${what}`)] : [];
  return check ? list.flatMap(check) : [];
}

function verbs(list: readonly string[] | undefined, path: FieldPath): StatusCause[] {
  if (!list?.length) return [required(path, 'verbs must contain at least one value')];
  if (list.includes('*')) return wildcardList(list, path, 'verbs');
  return list.every((v) => VERBS.includes(v)) ? [] : [notSupported(path, list, VERBS)];
}

function resourceRule(r: ResourcePolicyRule, path: FieldPath): StatusCause[] {
  const errs = verbs(r.verbs, child(path, 'verbs'));
  if (!r.apiGroups?.length) errs.push(required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  else if (r.apiGroups.length > 1) errs.push(...wildcardList(r.apiGroups, child(path, 'apiGroups'), 'api groups'));
  if (!r.resources?.length) errs.push(required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  else if (r.resources.length > 1) errs.push(...wildcardList(r.resources, child(path, 'resources'), 'resources'));
  const ns = child(path, 'namespaces');
  if (!r.namespaces?.length && !r.clusterScope) errs.push(required(ns, 'resource rules that are not cluster scoped must supply at least one namespace'));
  else errs.push(...wildcardList(r.namespaces, ns, 'namespaces', (n, i) => isDNS1123Label(n).map((m) => invalid(index(ns, i), n, NS_INTRO + m))));
  return errs;
}

/** ValidateNonResourceURLPath. */
function urlPath(p: string, path: FieldPath): StatusCause[] {
  if (!p) return [invalid(path, p, 'must not be empty')];
  if (p === '/') return [];
  if (!p.startsWith('/')) return [invalid(path, p, 'must start with slash')];
  if (p.includes(' ')) return [invalid(path, p, 'must not contain white-space')];
  if (p.includes('//')) return [invalid(path, p, 'must not contain double slash')];
  const stars = p.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !p.endsWith('/*'))) return [invalid(path, p, 'wildcard can only do suffix matching')];
  return [];
}

function nonResourceRule(r: NonResourcePolicyRule, path: FieldPath): StatusCause[] {
  const errs = verbs(r.verbs, child(path, 'verbs'));
  const urls = child(path, 'nonResourceURLs');
  if (!r.nonResourceURLs?.length) errs.push(required(urls, 'nonResourceURLs must contain at least one value'));
  else errs.push(...wildcardList(r.nonResourceURLs, urls, 'non-resource URLs', (u, i) => urlPath(u, index(urls, i))));
  return errs;
}

const NOT_USER = "user is forbidden when subject kind is not 'User'";
const NOT_GROUP = "group is forbidden when subject kind is not 'Group'";
const NOT_SA = "serviceAccount is forbidden when subject kind is not 'ServiceAccount'";

function subject(s: Subject, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  const stray = (field: 'user' | 'group' | 'serviceAccount', msg: string): void => void (s[field] !== undefined && errs.push(forbidden(child(path, field), msg)));
  switch (s.kind) {
    case 'ServiceAccount': {
      const sa = s.serviceAccount;
      const at = child(path, 'serviceAccount');
      if (!sa) errs.push(required(at, "serviceAccount is required when subject kind is 'ServiceAccount'"));
      else {
        if (!sa.name) errs.push(required(child(at, 'name')));
        else if (sa.name !== '*') errs.push(...nameIsDNSSubdomain(sa.name, false).map((m) => invalid(child(at, 'name'), sa.name, m)));
        if (!sa.namespace) errs.push(required(child(at, 'namespace'), 'must specify namespace for service account'));
        else errs.push(...isDNS1123Label(sa.namespace).map((m) => invalid(child(at, 'namespace'), sa.namespace, m)));
      }
      stray('user', NOT_USER);
      stray('group', NOT_GROUP);
      break;
    }
    case 'User':
      if (!s.user) errs.push(required(child(path, 'user'), "user is required when subject kind is 'User'"));
      else if (!s.user.name) errs.push(required(child(path, 'user', 'name')));
      stray('serviceAccount', NOT_SA);
      stray('group', NOT_GROUP);
      break;
    case 'Group':
      if (!s.group) errs.push(required(child(path, 'group'), "group is required when subject kind is 'Group'"));
      else if (!s.group.name) errs.push(required(child(path, 'group', 'name')));
      stray('serviceAccount', NOT_SA);
      stray('user', NOT_USER);
      break;
    default:
      errs.push(notSupported(child(path, 'kind'), s.kind, ['Group', 'ServiceAccount', 'User']));
  }
  return errs;
}

function rulesWithSubjects(r: PolicyRulesWithSubjects, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  if (r.subjects?.length) r.subjects.forEach((s, i) => errs.push(...subject(s, index(child(path, 'subjects'), i))));
  else errs.push(required(child(path, 'subjects'), 'subjects must contain at least one value'));
  if (!r.resourceRules?.length && !r.nonResourceRules?.length) errs.push(required(path, 'at least one of resourceRules and nonResourceRules has to be non-empty'));
  (r.resourceRules ?? []).forEach((rr, i) => errs.push(...resourceRule(rr, index(child(path, 'resourceRules'), i))));
  (r.nonResourceRules ?? []).forEach((nr, i) => errs.push(...nonResourceRule(nr, index(child(path, 'nonResourceRules'), i))));
  return errs;
}

function flowSchemaSpec(name: string, spec: FlowSchemaSpec, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  const mp = spec.matchingPrecedence ?? 0;
  const at = child(path, 'matchingPrecedence');
  if (mp <= 0) errs.push(invalid(at, mp, 'must be a positive value'));
  if (mp > MAX_MATCHING_PRECEDENCE) errs.push(invalid(at, mp, `must not be greater than ${MAX_MATCHING_PRECEDENCE}`));
  if (mp === 1 && name !== EXEMPT) errs.push(invalid(at, mp, "only the schema named 'exempt' may have matchingPrecedence 1"));
  const dm = spec.distinguisherMethod;
  if (dm && dm.type !== 'ByUser' && dm.type !== 'ByNamespace') errs.push(notSupported(child(path, 'distinguisherMethod', 'type'), struct(dm), ['ByNamespace', 'ByUser']));
  const pl = spec.priorityLevelConfiguration?.name ?? '';
  const plPath = child(path, 'priorityLevelConfiguration', 'name');
  if (pl) errs.push(...nameIsDNSSubdomain(pl, false).map((m) => invalid(plPath, pl, m)));
  else errs.push(required(plPath, 'must reference a priority level'));
  (spec.rules ?? []).forEach((r, i) => errs.push(...rulesWithSubjects(r, index(child(path, 'rules'), i))));
  return errs;
}

function conditions(list: readonly { type?: string }[] | undefined, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  const seen = new Set<string>();
  (list ?? []).forEach((c, i) => {
    const at = index(child(path, 'conditions'), i);
    if (seen.has(c.type ?? '')) errs.push(duplicate(child(at, 'type'), c.type));
    seen.add(c.type ?? '');
    if (!c.type) errs.push(required(child(at, 'type'), 'must not be empty'));
  });
  return errs;
}

/** ValidateFlowSchema (and ValidateFlowSchemaUpdate, which validates the new object alike). */
export function validateFlowSchema(fs: FlowSchema, old?: FlowSchema): StatusCause[] {
  const name = fs.metadata?.name ?? '';
  const spec = fs.spec ?? ({} as FlowSchemaSpec);
  const errs = [...meta(fs, old), ...flowSchemaSpec(name, spec, 'spec')];
  const mand = mandatorySchema(name);
  if (mand && !deepEqual(spec, mand.spec)) errs.push(invalid('spec', struct(spec), `spec of '${name}' must equal the fixed value`));
  return [...errs, ...conditions(fs.status?.conditions, 'status')];
}

function limitResponse(lr: LimitResponse | undefined, path: FieldPath): StatusCause[] {
  switch (lr?.type) {
    case 'Reject':
      return lr.queuing ? [forbidden(child(path, 'queuing'), 'must be nil if limited.limitResponse.type is not Limited')] : [];
    case 'Queue': {
      const q = lr.queuing;
      if (!q) return [required(child(path, 'queuing'), 'must not be empty if limited.limitResponse.type is Limited')];
      const at = child(path, 'queuing');
      const errs: StatusCause[] = [];
      const [queues, hand, limit] = [q.queues ?? 0, q.handSize ?? 0, q.queueLengthLimit ?? 0];
      if (limit <= 0) errs.push(invalid(child(at, 'queueLengthLimit'), limit, 'must be positive'));
      if (queues <= 0) errs.push(invalid(child(at, 'queues'), queues, 'must be positive'));
      else if (queues > MAX_QUEUES) errs.push(invalid(child(at, 'queues'), queues, `must not be greater than ${MAX_QUEUES}`));
      if (hand <= 0) errs.push(invalid(child(at, 'handSize'), hand, 'must be positive'));
      else if (hand > queues) errs.push(invalid(child(at, 'handSize'), hand, `should not be greater than queues (${queues})`));
      else if (requiredEntropyBits(queues, hand) > MAX_HASH_BITS) {
        errs.push(invalid(child(at, 'handSize'), hand, `required entropy bits of deckSize ${queues} and handSize ${hand} should not be greater than ${MAX_HASH_BITS}`));
      }
      return errs;
    }
    default:
      return [notSupported(child(path, 'type'), lr?.type ?? '', ['Queue', 'Reject'])];
  }
}

/** shufflesharding.RequiredEntropyBits: ceil(log2(deckSize) * handSize). */
export const requiredEntropyBits = (deckSize: number, handSize: number): number => Math.ceil(Math.log2(deckSize) * handSize);

const percent = (v: number | undefined, path: FieldPath): StatusCause[] =>
  v !== undefined && (v < 0 || v > 100) ? [invalid(path, v, 'must be between 0 and 100, inclusive')] : [];

function levelSpec(spec: PriorityLevelConfigurationSpec, name: string, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  if ((name === EXEMPT) !== (spec.type === 'Exempt')) errs.push(invalid(child(path, 'type'), spec.type ?? '', "type must be 'Exempt' if and only if name is 'exempt'"));
  if (spec.type === 'Exempt') {
    if (spec.limited) errs.push(forbidden(child(path, 'limited'), 'must be nil if the type is not Limited'));
    const e = spec.exempt;
    if (e?.nominalConcurrencyShares !== undefined && e.nominalConcurrencyShares < 0) {
      errs.push(invalid(child(path, 'exempt', 'nominalConcurrencyShares'), e.nominalConcurrencyShares, 'must be a non-negative integer'));
    }
    errs.push(...percent(e?.lendablePercent, child(path, 'exempt', 'lendablePercent')));
  } else if (spec.type === 'Limited') {
    if (spec.exempt) errs.push(forbidden(child(path, 'exempt'), 'must be nil if the type is Limited'));
    const l = spec.limited;
    const at = child(path, 'limited');
    if (!l) errs.push(required(at, 'must not be empty when type is Limited'));
    else {
      // The v1 API allows zero shares (AllowZeroLimitedNominalConcurrencyShares).
      const ncs = l.nominalConcurrencyShares ?? 0;
      if (ncs < 0) errs.push(invalid(child(at, 'nominalConcurrencyShares'), ncs, 'must be a non-negative integer'));
      errs.push(...limitResponse(l.limitResponse, child(at, 'limitResponse')));
      errs.push(...percent(l.lendablePercent, child(at, 'lendablePercent')));
      if (l.borrowingLimitPercent !== undefined && l.borrowingLimitPercent < 0) {
        errs.push(invalid(child(at, 'borrowingLimitPercent'), l.borrowingLimitPercent, 'if specified, must be a non-negative integer'));
      }
    }
  } else errs.push(notSupported(child(path, 'type'), spec.type ?? '', ['Exempt', 'Limited']));
  return errs;
}

/** ValidateIfMandatoryPriorityLevelConfigurationObject. */
function mandatoryLevelSpec(name: string, spec: PriorityLevelConfigurationSpec): StatusCause[] {
  const mand = mandatoryLevel(name);
  if (!mand) return [];
  if (name === EXEMPT) {
    return deepEqual({ ...spec, exempt: mand.spec?.exempt }, mand.spec) ? [] : [invalid('spec', struct(spec), `spec of '${name}' except the 'spec.exempt' field must equal the fixed value`)];
  }
  return deepEqual(spec, mand.spec) ? [] : [invalid('spec', struct(spec), `spec of '${name}' must equal the fixed value`)];
}

/** ValidatePriorityLevelConfiguration (the update validates the new object alike). */
export function validatePriorityLevelConfiguration(pl: PriorityLevelConfiguration, old?: PriorityLevelConfiguration): StatusCause[] {
  const name = pl.metadata?.name ?? '';
  const spec = pl.spec ?? ({} as PriorityLevelConfigurationSpec);
  return [...meta(pl, old), ...levelSpec(spec, name, 'spec'), ...mandatoryLevelSpec(name, spec), ...conditions(pl.status?.conditions, 'status')];
}
