/**
 * Server-side printing: each kind's printer (columns and cells) is part of its descriptor in
 * the kind registry, following Kubernetes' own printers
 * (k8s.io/kubernetes/pkg/printers/internalversion/printers.go). Kinds the registry does not
 * know get NAME and AGE.
 */
import type { JsonObject } from '../json.ts';
import { kindByResource } from '../kinds.ts';
import { buildTable, defaultPrinter, type IncludeObject, type Printer, type Table } from './table.ts';

export type { Table, IncludeObject, Printer } from './table.ts';
export { defaultPrinter } from './table.ts';

/** The printer for a group/resource (default NAME, AGE), at `version` when the kind prints each version its own way. */
export function printerFor(group: string, resource: string, version?: string): Printer {
  const kind = kindByResource(group, resource);
  return (version !== undefined ? kind?.versionPrinters?.[version] : undefined) ?? kind?.printer ?? defaultPrinter;
}

/**
 * The Table for objects of one kind, with cells computed at `now` (AGE is a string, as
 * kube-apiserver sends it), in the columns of the version asked for (a CRD's versions differ).
 */
export function tableFor(
  kind: { group: string; resource: string; version?: string },
  objects: readonly JsonObject[],
  opts: { now: number; includeObject?: IncludeObject; listMeta?: Table['metadata']; noColumns?: boolean },
): Table {
  return buildTable(printerFor(kind.group, kind.resource, kind.version), objects, opts);
}
