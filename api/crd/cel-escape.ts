/**
 * CEL property-name escaping (apiserver/pkg/cel's Escape): a schema property whose name is
 * not a CEL identifier, or is a CEL reserved word, is reached under an escaped name —
 * `x-y` as `self.x__dash__y`, `a.b` as `a__dot__b`, `namespace` as `__namespace__`.
 * Map keys (additionalProperties) are not escaped: they are reached with `self["x-y"]`.
 */

const RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

/** The name `property` is reached by in CEL, or undefined when it cannot be (Kubernetes drops such a field from the type). */
export function escapeProperty(property: string): string | undefined {
  if (RESERVED.has(property)) return `__${property}__`;
  if (!/^[_a-zA-Z][_a-zA-Z0-9.\-/]*$/.test(property)) return undefined;
  return property.replace(/__|\.|-|\//g, (m) => (m === '__' ? '__underscores__' : m === '.' ? '__dot__' : m === '-' ? '__dash__' : '__slash__'));
}
