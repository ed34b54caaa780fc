/**
 * Kubernetes keys as JetStream KV keys. A KV key is a NATS subject token list: letters,
 * digits, `-`, `_`, `=` and `/` in tokens separated by `.`, none empty. Like kine's NATS
 * backend we turn each `/` into `.` (so `nats kv ls` shows the registry's tree and a
 * prefix is a subject wildcard); every other byte outside `[-A-Za-z0-9=]` (`.`, `_`, `:`,
 * `/` inside nothing, UTF-8) becomes `_` and two upper-case hex digits, and an empty
 * segment (the leading `/`, or `//`) is a lone `_`. The mapping is one-to-one: `_` alone
 * and `_HH` never come from an unescaped character.
 */
export function encodeKvKey(key: string): string {
  return key.split('/').map(encodeSegment).join('.');
}

export function decodeKvKey(token: string): string {
  return token.split('.').map(decodeSegment).join('/');
}

/** Reserved KV keys of the backend itself start with this token (no encoded key can: `_k` is not an escape). */
export const RESERVED_TOKEN = '_kubeactor';

const PLAIN = /^[-A-Za-z0-9=]$/;

function encodeSegment(seg: string): string {
  if (seg === '') return '_';
  let out = '';
  for (const ch of seg) {
    if (PLAIN.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `_${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function decodeSegment(tok: string): string {
  if (tok === '_') return '';
  const bytes: number[] = [];
  for (let i = 0; i < tok.length; i++) {
    if (tok[i] === '_') {
      bytes.push(parseInt(tok.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(tok.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}
