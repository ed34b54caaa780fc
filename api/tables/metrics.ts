/**
 * metrics.k8s.io tables, as metrics-server's ConvertToTable builds them (pkg/api/table.go):
 * the name, one quantity column per resource (cpu, memory — a pod's summed over its
 * containers) and the window the rate was taken over.
 */
import { addQuantity, formatQuantity, parseQuantity, type Quantity } from '../quantity.ts';
import { isObject, type JsonObject } from '../json.ts';
import { col, NAME_COLUMN, type Printer } from './table.ts';
import { nameOf } from './meta.ts';

const RESOURCES = ['cpu', 'memory'] as const;

const COLUMNS = [
  { ...NAME_COLUMN, description: 'Name of the resource' },
  ...RESOURCES.map((r) => col(r, 'string', '', 0, 'quantity')),
  col('Window', 'string', '', 0, 'duration'),
];

/** The quantity at `usage[name]`, zero when absent or not a quantity. */
function usageOf(usage: unknown, name: string): Quantity {
  const text = isObject(usage) ? usage[name] : undefined;
  const q = typeof text === 'string' ? parseQuantity(text) : undefined;
  return q?.ok ? q.value : { nano: 0n, format: name === 'memory' ? 'BinarySI' : 'DecimalSI' };
}

export const nodeMetricsPrinter: Printer = {
  columns: COLUMNS,
  cells: (o) => [nameOf(o), ...RESOURCES.map((r) => formatQuantity(usageOf(o.usage, r))), String(o.window ?? '')],
};

export const podMetricsPrinter: Printer = {
  columns: COLUMNS,
  cells: (o) => {
    const containers = Array.isArray(o.containers) ? (o.containers as JsonObject[]) : [];
    const sums = RESOURCES.map((r) => containers.reduce((sum, c) => addQuantity(sum, usageOf(c.usage, r)), usageOf(undefined, r)));
    return [nameOf(o), ...sums.map(formatQuantity), String(o.window ?? '')];
  },
};
