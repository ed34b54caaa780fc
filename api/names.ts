/**
 * Names generated from `metadata.generateName`: Kubernetes appends five characters drawn
 * from an alphabet without vowels (so no words form) and without look-alikes (0/o, 1/l).
 * The random source is the caller's: machines stay deterministic and replayable.
 */

/** k8s.io/apimachinery/pkg/util/rand's alphabet. */
export const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Length of the random suffix, and the longest a generated name's base may get. */
export const RANDOM_LENGTH = 5;
export const MAX_GENERATED_NAME_LENGTH = 63 - RANDOM_LENGTH;

/** A source of random integers in [0, n). */
export type RandomInt = (n: number) => number;

/** Five characters of NAME_ALPHABET drawn from `random`. */
export function randomSuffix(random: RandomInt): string {
  let s = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) {
    const n = random(NAME_ALPHABET.length);
    if (!Number.isInteger(n) || n < 0 || n >= NAME_ALPHABET.length) {
      throw new RangeError(`random source returned ${n}, outside [0, ${NAME_ALPHABET.length})`);
    }
    s += NAME_ALPHABET[n];
  }
  return s;
}

/**
 * The name for an object created with `generateName`, as the apiserver's
 * names.SimpleNameGenerator makes it: the base is cut to 58 characters first.
 */
export function generateName(base: string, random: RandomInt): string {
  const cut = base.length > MAX_GENERATED_NAME_LENGTH ? base.slice(0, MAX_GENERATED_NAME_LENGTH) : base;
  return cut + randomSuffix(random);
}
