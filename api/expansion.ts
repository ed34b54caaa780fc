/**
 * Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion), used for env values,
 * command, args and subPathExpr: `$(NAME)` is replaced by the mapping's value, `$$` is an
 * escaped `$`, and a reference the mapping does not know stays as written (`$(NAME)`).
 */

/** MappingFuncFor: the first context that has the name wins; unknown names stay `$(name)`. */
export function mappingFuncFor(...contexts: readonly ReadonlyMap<string, string>[]): (name: string) => string {
  return (name) => {
    for (const vars of contexts) {
      const v = vars.get(name);
      if (v !== undefined) return v;
    }
    return `$(${name})`;
  };
}

/** Expand: `input` with every `$(VAR)` replaced through `mapping`. */
export function expand(input: string, mapping: (name: string) => string): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const { read, isVar, advance } = tryReadVariableName(input.slice(cursor + 1));
    out += isVar ? mapping(read) : read;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

function tryReadVariableName(input: string): { read: string; isVar: boolean; advance: number } {
  switch (input[0]) {
    case '$':
      return { read: '$', isVar: false, advance: 1 };
    case '(': {
      const close = input.indexOf(')', 1);
      if (close >= 0) return { read: input.slice(1, close), isVar: true, advance: close + 1 };
      return { read: '$(', isVar: false, advance: 1 };
    }
    default:
      return { read: `$${input[0]}`, isVar: false, advance: 1 };
  }
}
