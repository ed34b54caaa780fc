/**
 * Server-side printing: which printer (columns and cells) each kind has, keyed by
 * "<group>/<resource>", following Kubernetes' own printers
 * (k8s.io/kubernetes/pkg/printers/internalversion/printers.go). Kinds without one get
 * NAME and AGE.
 */
import type { JsonObject } from '../json.ts';
import { since } from './duration.ts';
import { createdOf, nameOf } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, buildTable, type IncludeObject, type Printer, type Table } from './table.ts';
import { podPrinter } from './pods.ts';
import { workloadPrinters } from './workloads.ts';
import { corePrinters } from './core.ts';
import { otherPrinters } from './others.ts';

export type { Table, IncludeObject, Printer } from './table.ts';

/** NAME and AGE: what every kind without its own printer shows. */
export const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  cells: (o, now) => [nameOf(o), since(createdOf(o), now)],
};

function registry(entries: [string, Printer][]): Map<string, Printer> {
  const m = new Map<string, Printer>();
  for (const [key, p] of entries) {
    if (m.has(key)) throw new Error(`tables: printer for "${key}" registered twice`);
    m.set(key, p);
  }
  return m;
}

const PRINTERS = registry([['/pods', podPrinter], ...workloadPrinters, ...corePrinters, ...otherPrinters]);

/** The printer for a group/resource (default NAME, AGE). */
export function printerFor(group: string, resource: string): Printer {
  return PRINTERS.get(`${group}/${resource}`) ?? defaultPrinter;
}

/** The Table for objects of one kind, with cells computed at `now` (AGE is a string, as kube-apiserver sends it). */
export function tableFor(
  kind: { group: string; resource: string },
  objects: readonly JsonObject[],
  opts: { now: number; includeObject?: IncludeObject; listMeta?: Table['metadata']; noColumns?: boolean },
): Table {
  return buildTable(printerFor(kind.group, kind.resource), objects, opts);
}
