/**
 * The meta.k8s.io/v1 Table a server answers `kubectl get` with: column definitions and one
 * row of cells per object, each row carrying the object (or its metadata) so the client can
 * add the NAMESPACE and LABELS columns and sort.
 */
import { isObject, type JsonObject } from '../json.ts';
import { since } from './duration.ts';
import { createdOf, nameOf } from './meta.ts';

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  /** 0: always shown; 1: only with `-o wide`. */
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  object?: JsonObject;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

/** Which object each row carries (the `includeObject` query parameter). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** A kind's printer: its columns and how one object becomes their cells. */
export interface Printer {
  columns: ColumnDefinition[];
  /** One or more rows' cells for an object (most kinds print one row), at time `now` (ms). */
  cells(obj: JsonObject, now: number): unknown[];
  /** The order a list's rows print in, when the kind's printer sorts them (FlowSchemas by precedence); default: as listed. */
  order?(objects: readonly JsonObject[]): JsonObject[];
}

/** Shorthand for a column definition. */
export function col(name: string, type: ColumnDefinition['type'], description: string, priority = 0, format = ''): ColumnDefinition {
  return { name, type, format, description, priority };
}

export const NAME_COLUMN = col('Name', 'string', 'Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names', 0, 'name');
export const AGE_COLUMN = col('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created. Represented in RFC3339 form and is in UTC.');

/** NAME and AGE: what a kind without columns of its own prints. */
export const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  cells: (o, now) => [nameOf(o), since(createdOf(o), now)],
};

/** The object a row carries under includeObject=Metadata. */
export function partialObjectMetadata(obj: JsonObject): JsonObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: isObject(obj.metadata) ? obj.metadata : {} };
}

/** Builds the Table for `objects` with `printer`. */
export function buildTable(
  printer: Printer,
  objects: readonly JsonObject[],
  opts: { now: number; includeObject?: IncludeObject; listMeta?: Table['metadata']; noColumns?: boolean },
): Table {
  const include = opts.includeObject ?? 'Metadata';
  const rows = (printer.order ? printer.order(objects) : objects).map((obj): TableRow => {
    const row: TableRow = { cells: printer.cells(obj, opts.now) };
    if (include === 'Metadata') row.object = partialObjectMetadata(obj);
    else if (include === 'Object') row.object = obj;
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.listMeta ?? {},
    columnDefinitions: opts.noColumns ? [] : printer.columns,
    rows,
  };
}
