/**
 * The CRD-time cost limits of `x-kubernetes-validations` (apiextensions validation.go): each
 * rule's estimated cost times the most times its schema node can occur in one object must
 * stay within StaticEstimatedCostLimit, and all rules of one version's schema together within
 * StaticEstimatedCRDCostLimit; refusals carry upstream's messages and paths.
 */
import type { StatusCause } from '../../base/status.ts';
import { forbidden, type FieldPath } from '../validation/errors.ts';
import { UNBOUNDED, unboundedCardinality } from './cel-cost-schema.ts';
import type { SchemaProps } from './schema-props.ts';

/** Per rule (or messageExpression), estimated, times its cardinality. */
export const STATIC_ESTIMATED_COST_LIMIT = 10_000_000;
/** All rules of one schema together, estimated. */
export const STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000;

const MOST_EXPENSIVE_KEPT = 4;

/** getCostErrorMessage: the factor as `%fx` below 1.5, `%.1fx` up to 100, else "more than 100x". */
export function costErrorMessage(costName: string, cost: number, limit: number): string {
  const f = cost / limit;
  const factor = f > 100 ? 'more than 100x' : f < 1.5 ? `${f.toFixed(6)}x` : `${f.toFixed(1)}x`;
  return `${costName} exceeds budget by factor of ${factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}

/**
 * A rule's cost as the limits see it (getExpressionCost): its estimate times the cardinality of
 * its node, or, under an unbounded list or map, times how many of the node's smallest values fit in a request.
 */
export function expressionCost(estimate: number, cardinality: number | undefined, node: SchemaProps): number {
  if (estimate === 0) return 0;
  const times = cardinality ?? unboundedCardinality(node);
  return Math.min(UNBOUNDED, estimate * times);
}

/** The running total of one schema's rules (TotalCost), keeping the four most expensive of at least 1% of the limit. */
export class CostTotal {
  private total = 0;
  private readonly expensive: { path: FieldPath; cost: number }[] = [];

  observe(path: FieldPath, cost: number): void {
    this.total = Math.min(UNBOUNDED, this.total + cost);
    if (cost < STATIC_ESTIMATED_CRD_COST_LIMIT / 100) return;
    this.expensive.push({ path, cost });
    // A stable sort keeps equal costs in the order the rules were met, as sort.Slice mostly does.
    this.expensive.sort((a, b) => b.cost - a.cost);
    this.expensive.splice(MOST_EXPENSIVE_KEPT);
  }

  /** The refusals when the total is over the limit: each big contributor, then the schema itself. */
  errors(schemaPath: FieldPath): StatusCause[] {
    if (this.total <= STATIC_ESTIMATED_CRD_COST_LIMIT) return [];
    return [
      ...this.expensive.map((e) => forbidden(e.path, 'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema')),
      forbidden(schemaPath, costErrorMessage('x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema', this.total, STATIC_ESTIMATED_CRD_COST_LIMIT)),
    ];
  }
}
