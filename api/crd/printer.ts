/**
 * Tables for CustomResourceDefinitions (the default table convertor: NAME, CREATED AT) and
 * for custom resources (apiextensions' tableconvertor: NAME, then the version's
 * additionalPrinterColumns read by JSONPath, or AGE when it lists none).
 */
import { since } from '../tables/duration.ts';
import { createdOf, nameOf } from '../tables/meta.ts';
import { col, NAME_COLUMN, type ColumnDefinition, type Printer } from '../tables/table.ts';
import { isObject, type JsonObject } from '../json.ts';
import { readJsonPath } from './jsonpath.ts';
import type { CustomResourceColumnDefinition } from './types.ts';

/** rest.NewDefaultTableConvertor: the name and the creation time as RFC 3339. */
export const customResourceDefinitionPrinter: Printer = {
  columns: [NAME_COLUMN, col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata')],
  cells: (o) => [nameOf(o), typeof createdOf(o) === 'string' ? createdOf(o) : null],
};

/** What a version prints when it lists no columns (apiextensions' serveDefaultColumnsIfEmpty). */
const DEFAULT_COLUMNS: CustomResourceColumnDefinition[] = [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];

/** A JSON value printed as kubectl's JSONPath printer prints it: strings raw, the rest as JSON. */
const printed = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** cellForJSONValue: the cell a typed column holds, or null when the value does not fit. */
function cell(type: string, v: unknown, now: number): unknown {
  if (v === undefined || v === null) return null;
  switch (type) {
    case 'string': return printed(v);
    case 'integer': return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number': return typeof v === 'number' ? v : null;
    case 'boolean': return typeof v === 'boolean' ? v : null;
    case 'date': return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? since(v, now) : null;
    default: return null;
  }
}

/** The printer of a custom resource version with these columns. */
export function customResourcePrinter(columns: readonly CustomResourceColumnDefinition[] | undefined): Printer {
  const cols = columns?.length ? columns : DEFAULT_COLUMNS;
  const defs: ColumnDefinition[] = [
    NAME_COLUMN,
    ...cols.map((c) => col(c.name, c.type as ColumnDefinition['type'], c.description ?? '', c.priority ?? 0, c.format ?? '')),
  ];
  return {
    columns: defs,
    cells: (o: JsonObject, now: number) => [nameOf(o), ...cols.map((c) => cell(c.type, readJsonPath(isObject(o) ? o : {}, c.jsonPath), now))],
  };
}
