/**
 * Printers for kinds outside core and workloads: leases, endpointslices,
 * poddisruptionbudgets and the RBAC kinds, as Kubernetes prints them.
 */
import type { JsonObject } from '../json.ts';
import { since } from './duration.ts';
import { arr, createdOf, nameOf, num, obj, specOf, statusOf, str } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table.ts';

/** listWithMoreString: up to three items, then "+ N more..."; "<unset>" for none. */
function upToThree(items: string[]): string {
  const shown = items.slice(0, 3).join(',');
  if (items.length > 3) return `${shown} + ${items.length - 3} more...`;
  return shown || '<unset>';
}

export const leasePrinter: Printer = {
  columns: [NAME_COLUMN, col('Holder', 'string', 'The holder of the lease.'), AGE_COLUMN],
  cells: (o, now) => [nameOf(o), str(specOf(o).holderIdentity), since(createdOf(o), now)],
};

export const endpointSlicePrinter: Printer = {
  columns: [NAME_COLUMN, col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'), col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'), col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'), AGE_COLUMN],
  cells(o, now) {
    const ports = arr(o.ports).map(obj).map((p) => (typeof p.port === 'number' ? String(p.port) : str(p.name) || '<unset>'));
    const addrs = arr(o.endpoints).flatMap((e) => arr(obj(e).addresses).map(String));
    return [nameOf(o), str(o.addressType), upToThree(ports), upToThree(addrs), since(createdOf(o), now)];
  },
};

const intOrString = (x: unknown): string => (x === undefined || x === null ? 'N/A' : String(x));

export const podDisruptionBudgetPrinter: Printer = {
  columns: [NAME_COLUMN, col('Min Available', 'string', 'The minimum number of pods that must be available.'), col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'), col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'), AGE_COLUMN],
  cells: (o, now) => [nameOf(o), intOrString(specOf(o).minAvailable), intOrString(specOf(o).maxUnavailable), num(statusOf(o).disruptionsAllowed), since(createdOf(o), now)],
};

/** Roles print their creation time, not an age (printClusterRole / printRole). */
export const createdAtPrinter: Printer = {
  columns: [NAME_COLUMN, col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.')],
  cells: (o) => [nameOf(o), str(createdOf(o))],
};

function subjects(o: JsonObject, kind: string): string {
  return arr(o.subjects).map(obj).filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${str(s.namespace)}/${str(s.name)}` : str(s.name))).join(', ');
}

export const bindingPrinter: Printer = {
  columns: [NAME_COLUMN, col('Role', 'string', 'Role or ClusterRole this binding refers to.'), AGE_COLUMN, col('Users', 'string', 'Users in the binding', 1), col('Groups', 'string', 'Groups in the binding', 1), col('ServiceAccounts', 'string', 'ServiceAccounts in the binding', 1)],
  cells(o, now) {
    const ref = obj(o.roleRef);
    return [nameOf(o), `${str(ref.kind)}/${str(ref.name)}`, since(createdOf(o), now), subjects(o, 'User'), subjects(o, 'Group'), subjects(o, 'ServiceAccount')];
  },
};


export const runtimeClassPrinter: Printer = {
  columns: [NAME_COLUMN, col('Handler', 'string', 'Handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class.'), AGE_COLUMN],
  cells: (o, now) => [nameOf(o), str(o.handler), since(createdOf(o), now)],
};
