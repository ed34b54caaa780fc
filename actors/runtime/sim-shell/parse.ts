/**
 * The little sh the sim runs: words with '…', "…" and \ quoting, `$NAME` / `${NAME}`
 * expansion (not inside '…'), and the operators `;`, newline, `&&`, `||` and `|`. No
 * redirections, globs, subshells or control flow: enough for `sh -c 'exit 3'`,
 * `sh -c "echo $HOSTNAME; cat /etc/x"` and `tar cf - x | tail -c+N`.
 */

/** A pipeline's commands, and how it joins the next one. */
export interface Step {
  pipeline: string[][];
  /** `;` (or end), `&&`, `||`: what decides whether the next step runs. */
  then: ';' | '&&' | '||';
}

/** Splits a script into steps; `vars` answers `$NAME`. */
export function parseScript(script: string, vars: (name: string) => string): Step[] {
  const steps: Step[] = [];
  let pipeline: string[][] = [];
  let words: string[] = [];
  let word: string | null = null;
  const endWord = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) pipeline.push(words);
    words = [];
  };
  const endStep = (then: Step['then']) => {
    endCommand();
    if (pipeline.length > 0) steps.push({ pipeline, then });
    pipeline = [];
  };
  let i = 0;
  const variable = (): string => {
    const rest = script.slice(i + 1);
    const m = /^(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(rest);
    if (!m) {
      i++;
      return '$';
    }
    i += 1 + m[0].length;
    return vars(m[1] ?? m[2]!);
  };
  while (i < script.length) {
    const ch = script[i]!;
    if (ch === "'") {
      const end = script.indexOf("'", i + 1);
      const stop = end < 0 ? script.length : end;
      word = (word ?? '') + script.slice(i + 1, stop);
      i = stop + 1;
    } else if (ch === '"') {
      word ??= '';
      i++;
      while (i < script.length && script[i] !== '"') {
        if (script[i] === '\\' && i + 1 < script.length && '"\\$'.includes(script[i + 1]!)) {
          word += script[i + 1];
          i += 2;
        } else if (script[i] === '$') word += variable();
        else word += script[i++];
      }
      i++;
    } else if (ch === '\\' && i + 1 < script.length) {
      word = (word ?? '') + script[i + 1];
      i += 2;
    } else if (ch === '$') {
      word = (word ?? '') + variable();
    } else if (ch === ' ' || ch === '\t') {
      endWord();
      i++;
    } else if (ch === ';' || ch === '\n') {
      endStep(';');
      i++;
    } else if (script.startsWith('&&', i) || script.startsWith('||', i)) {
      endStep(script.slice(i, i + 2) as '&&' | '||');
      i += 2;
    } else if (ch === '|') {
      endCommand();
      i++;
    } else {
      word = (word ?? '') + ch;
      i++;
    }
  }
  endStep(';');
  return steps;
}
