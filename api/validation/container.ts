/**
 * Container validation (pkg/apis/core/validation): names, images, ports, env, resources and
 * the enumerated policies, with Kubernetes' field paths and messages.
 */
import type { Container, ContainerPort, EnvVar, ResourceRequirements } from 'kubernetes-types/core/v1.js';
import type { StatusCause } from '../../base/status.ts';
import { compareQuantity, formatQuantity, parseQuantity, type Quantity } from '../quantity.ts';
import { child, duplicate, index, invalid, key, notSupported, required, type FieldPath } from './errors.ts';
import { isDNS1123Label, isQualifiedName, regexError } from './names.ts';
import { localDescendingPath } from './volumes.ts';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/** validation.IsValidPortNum. */
export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** validation.IsValidPortName (IANA_SVC_NAME). */
export function isValidPortName(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

const ENV_VAR_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*';

/** validation.IsEnvVarName. */
export function isEnvVarName(name: string): string[] {
  return new RegExp(`^${ENV_VAR_FMT}$`).test(name)
    ? []
    : [regexError("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit", ENV_VAR_FMT, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1')];
}

export function validatePorts(ports: ContainerPort[] | undefined, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  const names = new Set<string>();
  for (const [i, p] of (ports ?? []).entries()) {
    const ip = index(path, i);
    if (p.name) {
      const msgs = isValidPortName(p.name);
      if (msgs.length) for (const m of msgs) errs.push(invalid(child(ip, 'name'), p.name, m));
      else if (names.has(p.name)) errs.push(duplicate(child(ip, 'name'), p.name));
      else names.add(p.name);
    }
    if (!p.containerPort) errs.push(required(child(ip, 'containerPort')));
    else for (const m of isValidPortNum(p.containerPort)) errs.push(invalid(child(ip, 'containerPort'), p.containerPort, m));
    if (p.hostPort) for (const m of isValidPortNum(p.hostPort)) errs.push(invalid(child(ip, 'hostPort'), p.hostPort, m));
    if (!p.protocol) errs.push(required(child(ip, 'protocol')));
    else if (!(PROTOCOLS as readonly string[]).includes(p.protocol)) errs.push(notSupported(child(ip, 'protocol'), p.protocol, PROTOCOLS));
  }
  return errs;
}

function validateEnv(env: EnvVar[] | undefined, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const [i, e] of (env ?? []).entries()) {
    const ip = index(path, i);
    if (!e.name) errs.push(required(child(ip, 'name')));
    else for (const m of isEnvVarName(e.name)) errs.push(invalid(child(ip, 'name'), e.name, m));
    if (e.value && e.valueFrom) errs.push(invalid(child(ip, 'valueFrom'), '', 'may not be specified when `value` is not empty'));
  }
  return errs;
}

function resourceName(name: string, path: FieldPath): StatusCause[] {
  if (name.includes('/')) return isQualifiedName(name).map((m) => invalid(path, name, m));
  if (STANDARD_CONTAINER_RESOURCES.includes(name) || name.startsWith('hugepages-')) return [];
  return [invalid(path, name, 'must be a standard resource for containers')];
}

function quantities(m: Record<string, string> | undefined, path: FieldPath, errs: StatusCause[]): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const name of Object.keys(m ?? {}).sort()) {
    const p = key(path, name);
    errs.push(...resourceName(name, p));
    const raw = m?.[name] ?? '';
    const q = parseQuantity(String(raw));
    if (!q.ok) errs.push(invalid(p, raw, q.status.message));
    else if (q.value.nano < 0n) errs.push(invalid(p, raw, 'must be greater than or equal to 0'));
    else out.set(name, q.value);
  }
  return out;
}

/** ValidateResourceRequirements: valid names and quantities, and every request <= its limit. */
export function validateResources(res: ResourceRequirements | undefined, path: FieldPath): StatusCause[] {
  const errs: StatusCause[] = [];
  const limits = quantities(res?.limits, child(path, 'limits'), errs);
  const requests = quantities(res?.requests, child(path, 'requests'), errs);
  for (const [name, req] of requests) {
    const lim = limits.get(name);
    if (lim && compareQuantity(req, lim) > 0) {
      errs.push(invalid(key(child(path, 'requests'), name), formatQuantity(req), `must be less than or equal to ${name} limit of ${formatQuantity(lim)}`));
    }
  }
  return errs;
}

/**
 * One container's own checks. `names` collects the names seen so far across init and regular
 * containers (Kubernetes reports the later one as the duplicate).
 */
export function validateContainer(c: Container, path: FieldPath, names: Set<string>): StatusCause[] {
  const errs: StatusCause[] = [];
  const np = child(path, 'name');
  if (!c.name) errs.push(required(np));
  else {
    for (const m of isDNS1123Label(c.name)) errs.push(invalid(np, c.name, m));
    if (names.has(c.name)) errs.push(duplicate(np, c.name));
    names.add(c.name);
  }
  if (!c.image) errs.push(required(child(path, 'image')));
  if (!c.imagePullPolicy) errs.push(required(child(path, 'imagePullPolicy')));
  else if (!PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(notSupported(child(path, 'imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES));
  if (!c.terminationMessagePolicy) errs.push(required(child(path, 'terminationMessagePolicy')));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(c.terminationMessagePolicy)) {
    errs.push(notSupported(child(path, 'terminationMessagePolicy'), c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  errs.push(...validatePorts(c.ports, child(path, 'ports')));
  errs.push(...validateEnv(c.env, child(path, 'env')));
  errs.push(...validateResources(c.resources, child(path, 'resources')));
  const mounts = new Set<string>();
  for (const [i, vm] of (c.volumeMounts ?? []).entries()) {
    const ip = index(child(path, 'volumeMounts'), i);
    if (!vm.name) errs.push(required(child(ip, 'name')));
    if (!vm.mountPath) errs.push(required(child(ip, 'mountPath')));
    else if (mounts.has(vm.mountPath)) errs.push(invalid(child(ip, 'mountPath'), vm.mountPath, 'must be unique'));
    else mounts.add(vm.mountPath);
    // Kubernetes reports subPath errors at volumeMounts.subPath, without the index.
    if (vm.subPath) errs.push(...localDescendingPath(vm.subPath, child(path, 'volumeMounts', 'subPath')));
    if (vm.subPathExpr) {
      if (vm.subPath) errs.push(invalid(child(ip, 'subPathExpr'), vm.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...localDescendingPath(vm.subPathExpr, child(path, 'volumeMounts', 'subPathExpr')));
    }
  }
  return errs;
}

/** validateContainers for one list; an empty regular list is `Required value`. */
export function validateContainers(list: Container[] | undefined, path: FieldPath, names: Set<string>, requireOne: boolean): StatusCause[] {
  if (requireOne && (!list || list.length === 0)) return [required(path)];
  return (list ?? []).flatMap((c, i) => validateContainer(c, index(path, i), names));
}
