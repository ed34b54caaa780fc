/**
 * A schema's `pattern` is an RE2 (Go) regular expression; this is its JavaScript twin.
 * RE2 takes escapes of any punctuation (`\_`, `\:`) and a leading `(?i)`, which a Unicode
 * JavaScript pattern refuses, so those are translated, and a pattern that is not valid
 * Unicode-mode JavaScript is tried again in legacy mode before it counts as invalid.
 */

const cache = new Map<string, RegExp | Error>();

/** The compiled pattern, or the error that makes it invalid. */
export function compilePattern(pattern: string): RegExp | Error {
  let hit = cache.get(pattern);
  if (hit) return hit;
  let source = pattern.replace(/\\A/g, '^').replace(/\\z/g, '$');
  let flags = 'u';
  const inline = /^\(\?([imsU]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    if (inline[1]!.includes('i')) flags += 'i';
    if (inline[1]!.includes('s')) flags += 's';
    if (inline[1]!.includes('m')) flags += 'm';
  }
  try {
    hit = new RegExp(source, flags);
  } catch (e) {
    try {
      hit = new RegExp(source, flags.replace('u', ''));
    } catch {
      hit = e as Error;
    }
  }
  if (cache.size > 2000) cache.clear();
  cache.set(pattern, hit);
  return hit;
}
