/** The printer of apps/v1 ControllerRevision (printControllerRevision): its controller as `<kind.group>/<name>`. */
import { since } from './duration.ts';
import { arr, createdOf, metaOf, nameOf, num, obj, str } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table.ts';

/** "statefulset.apps/web" for the controllerRef, "<none>" without one. */
function controllerOf(o: Parameters<Printer['cells']>[0]): string {
  const ref = arr(metaOf(o).ownerReferences).map(obj).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const group = str(ref.apiVersion).includes('/') ? str(ref.apiVersion).split('/')[0] : '';
  const kind = str(ref.kind).toLowerCase();
  return `${group ? `${kind}.${group}` : kind}/${str(ref.name)}`;
}

export const controllerRevisionPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    AGE_COLUMN,
  ],
  cells: (o, now) => [nameOf(o), controllerOf(o), num(o.revision), since(createdOf(o), now)],
};
