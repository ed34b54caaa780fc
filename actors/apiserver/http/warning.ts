/**
 * Warning headers as the apiserver writes them (k8s.io/apiserver/pkg/endpoints/filters/warning.go
 * and NewWarningHeader in k8s.io/apimachinery/pkg/util/net/http.go): `299 - "<text>"` with `"`
 * and `\` backslash-escaped, duplicates dropped, and past 4096 runes in total every text cut to
 * 256 runes and further ones left out.
 */

/** The recorder's limits: total runes before truncation starts, and the runes each text keeps then. */
export const WARNING_TOTAL_RUNES = 4 * 1024;
export const WARNING_ITEM_RUNES = 256;

/**
 * The Warning header values for `texts`, in order, ready for Node's header API.
 *
 * Kubernetes refuses a text holding a control character (the unknown-field texts never do:
 * its decoder quotes field names with Go's %q). Such texts arrive here unquoted, so their
 * control characters are escaped as %q would have (`\x01`, `\n`, `\u0085`) rather than the
 * warning lost. Non-ASCII text travels as UTF-8 bytes, as Go sends it; Node takes header
 * values as latin1 strings, so each value is its UTF-8 bytes spelled in latin1, and the
 * response must be written with a Buffer body (a string body makes Node re-encode the head).
 */
export function warningHeaders(texts: readonly string[]): string[] {
  const seen = new Set<string>();
  const runes: string[][] = [];
  for (const text of texts) {
    if (text === '' || seen.has(text)) continue;
    seen.add(text);
    runes.push([...escapeControls(text)]);
  }
  // The first text that takes the total past the limit switches to truncation: it and every
  // earlier one are kept, cut; later ones only while the total is still under the limit.
  let total = 0;
  const trigger = runes.findIndex((r) => (total += r.length) > WARNING_TOTAL_RUNES);
  if (trigger < 0) return runes.map((r) => header(r.join('')));
  const out: string[] = [];
  let written = 0;
  for (const [i, r] of runes.entries()) {
    if (i > trigger && written >= WARNING_TOTAL_RUNES) break;
    const kept = r.length > WARNING_ITEM_RUNES ? r.slice(0, WARNING_ITEM_RUNES) : r;
    written += kept.length;
    out.push(header(kept.join('')));
  }
  return out;
}

function header(text: string): string {
  const value = `299 - "${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return Buffer.from(value, 'utf8').toString('latin1');
}

/** Go's %q spelling of the characters unicode.IsControl holds (C0, DEL, C1). */
const GO_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

function escapeControls(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => {
    const code = c.charCodeAt(0);
    return GO_ESCAPES[c] ?? (code < 0x80 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
  });
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
