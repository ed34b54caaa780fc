/** Printers of ResourceQuota and LimitRange, as Kubernetes' printers.go prints them. */
import { createdAtPrinter } from './others.ts';
import { since } from './duration.ts';
import { createdOf, nameOf, obj, statusOf, str } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table.ts';

/** printResourceQuota: `used/hard` of each status.hard name, limits.* under LIMIT and the rest under REQUEST. */
export const resourceQuotaPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    AGE_COLUMN,
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
  cells(o, now) {
    const hard = obj(statusOf(o).hard);
    const used = obj(statusOf(o).used);
    const request: string[] = [];
    const limit: string[] = [];
    for (const r of Object.keys(hard).sort()) {
      const pieces = r.split('.');
      (pieces.length > 1 && pieces[0] === 'limits' ? limit : request).push(`${r}: ${str(used[r], '0')}/${str(hard[r])}`);
    }
    return [nameOf(o), since(createdOf(o), now), request.join(', '), limit.join(', ')];
  },
};

/** LimitRanges print their creation time, not an age. */
export const limitRangePrinter: Printer = createdAtPrinter;
