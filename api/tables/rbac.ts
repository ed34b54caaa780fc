/** Printers for the RBAC kinds, as Kubernetes' printRole/printClusterRole and printRoleBinding/printClusterRoleBinding. */
import { since } from './duration.ts';
import { arr, createdOf, nameOf, obj, str } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table.ts';

/** Roles print when they were made as a date, not an age. */
export const rolePrinter: Printer = {
  columns: [NAME_COLUMN, col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created. Represented in RFC3339 form and is in UTC.')],
  cells: (o) => [nameOf(o), str(createdOf(o))],
};

/** SubjectsStrings: users, groups and "namespace:name" service accounts, each joined with ", ". */
function subjects(o: Record<string, unknown>): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of arr(o.subjects).map(obj)) {
    if (s.kind === 'User') users.push(str(s.name));
    else if (s.kind === 'Group') groups.push(str(s.name));
    else if (s.kind === 'ServiceAccount') sas.push(`${str(s.namespace)}:${str(s.name)}`);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

export const roleBindingPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.'),
    AGE_COLUMN,
    col('Users', 'string', 'Users in the roleBinding', 1),
    col('Groups', 'string', 'Groups in the roleBinding', 1),
    col('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', 1),
  ],
  cells(o, now) {
    const ref = obj(o.roleRef);
    return [nameOf(o), `${str(ref.kind)}/${str(ref.name)}`, since(createdOf(o), now), ...subjects(o)];
  },
};
