/**
 * Shared settings of the property-based specs (fast-check). Every property runs from a fixed
 * seed, so `npm test` is deterministic; the soak runner (soak/run.mjs) sets FUZZ_SEED and
 * FUZZ_SCALE to run the same properties longer from fresh seeds. A failure prints the seed,
 * the path and the shrunk counterexample: put that input in a plain regression spec.
 */
import fc from 'fast-check';

/** The seed of every property in this process: FUZZ_SEED, else a fixed one. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261205);

/** Multiplies every property's run count (the soaks raise it; CI keeps 1). */
export const FUZZ_SCALE = Number(process.env.FUZZ_SCALE ?? 1);

/** fast-check parameters: the fixed seed and `runs` scaled by FUZZ_SCALE. */
export function params<T>(runs: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(runs * FUZZ_SCALE)), includeErrorInReport: true, ...extra };
}

/** Runs a property with `params(runs)`; throws fast-check's report (seed, path, counterexample). */
export function check<Ts>(property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>, runs: number): Promise<void> | void {
  return fc.assert(property as fc.IProperty<Ts>, params(runs));
}

/** JSON values without `__proto__` keys' special meaning lost: plain objects, arrays and scalars, small. */
export const jsonValue = (maxDepth = 3): fc.Arbitrary<unknown> =>
  fc.jsonValue({ maxDepth }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
