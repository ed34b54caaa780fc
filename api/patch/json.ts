/**
 * RFC 6902 JSON patch (`application/json-patch+json`) with RFC 6901 pointers. Malformed
 * patches are 400 BadRequest; operations that do not apply are 422, worded as the
 * evanphx/json-patch library the apiserver uses words them. The work is bounded as the
 * apiserver bounds it: at most MAX_JSON_PATCH_OPERATIONS operations (413), and "copy"
 * operations may add at most JSON_PATCH_MAX_COPY_BYTES, counted before a value is copied;
 * and, where JavaScript's splice is slower than Go's memmove, inserts and removals may shift
 * at most JSON_PATCH_MAX_SHIFTED_ITEMS list items.
 */
import { badRequest, fail, ok, status, tooLarge, type Result } from '../../base/status.ts';
import { clone, deepEqual, isObject, own, setOwn } from '../json.ts';
import { depthOf, JSON_PATCH_MAX_COPY_BYTES, JSON_PATCH_MAX_SHIFTED_ITEMS, jsonSize, MAX_DEPTH, MAX_JSON_PATCH_OPERATIONS } from '../limits.ts';

export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

/** Splits a JSON pointer into unescaped tokens ("~1" → "/", "~0" → "~"); undefined if malformed. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Builds a pointer from tokens, escaping "~" and "/". */
export function formatPointer(tokens: readonly string[]): string {
  return tokens.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

const unprocessable = (message: string): Result<never> => fail(status(422, 'Invalid', message));

type Container = Record<string, unknown> | unknown[];

/**
 * Resolves the parent container of a pointer and the last token. Only own members are
 * walked: "/__proto__/x" or "/constructor/prototype/x" name fields that do not exist.
 */
function locate(doc: unknown, tokens: string[]): { parent: Container; key: string } | undefined {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = /^(0|[1-9]\d*)$/.test(t) ? cur[Number(t)] : undefined;
    else if (isObject(cur)) cur = own(cur, t);
    else return undefined;
  }
  const key = tokens[tokens.length - 1];
  if (key === undefined || !(Array.isArray(cur) || isObject(cur))) return undefined;
  return { parent: cur, key };
}

function get(doc: unknown, tokens: string[]): { found: boolean; value?: unknown } {
  if (tokens.length === 0) return { found: true, value: doc };
  const loc = locate(doc, tokens);
  if (!loc) return { found: false };
  if (Array.isArray(loc.parent)) {
    const i = /^(0|[1-9]\d*)$/.test(loc.key) ? Number(loc.key) : -1;
    return i >= 0 && i < loc.parent.length ? { found: true, value: loc.parent[i] } : { found: false };
  }
  return Object.hasOwn(loc.parent, loc.key) ? { found: true, value: loc.parent[loc.key] } : { found: false };
}

/** List items moved by inserts and removals so far: each costs a shift of the items after it. */
interface Work {
  shifted: number;
}

function add(doc: unknown, path: string, tokens: string[], value: unknown, work: Work): Result<unknown> {
  if (tokens.length === 0) return ok(value);
  const loc = locate(doc, tokens);
  if (!loc) return unprocessable(`add operation does not apply: doc is missing path: "${path}": missing value`);
  if (Array.isArray(loc.parent)) {
    const i = loc.key === '-' ? loc.parent.length : /^(0|[1-9]\d*)$/.test(loc.key) ? Number(loc.key) : -1;
    if (i < 0 || i > loc.parent.length) return unprocessable(`add operation does not apply: doc is missing path: "${path}": missing value`);
    work.shifted += loc.parent.length - i;
    loc.parent.splice(i, 0, value);
  } else setOwn(loc.parent, loc.key, value);
  return ok(doc);
}

function remove(doc: unknown, path: string, tokens: string[], op: string, work: Work): Result<unknown> {
  const loc = tokens.length ? locate(doc, tokens) : undefined;
  if (!loc || !get(doc, tokens).found) {
    return unprocessable(op === 'remove' ? `Unable to remove nonexistent key: ${tokens[tokens.length - 1] ?? ''}: missing value` : `${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  if (Array.isArray(loc.parent)) {
    work.shifted += loc.parent.length - Number(loc.key) - 1;
    loc.parent.splice(Number(loc.key), 1);
  } else delete loc.parent[loc.key];
  return ok(doc);
}

/** Replaces in place: a list item is overwritten, not removed and inserted again. */
function replace(doc: unknown, path: string, tokens: string[], value: unknown): Result<unknown> {
  if (!get(doc, tokens).found) return unprocessable(`replace operation does not apply: doc is missing key: ${path}: missing value`);
  const loc = locate(doc, tokens);
  if (!loc) return ok(value);
  if (Array.isArray(loc.parent)) loc.parent[Number(loc.key)] = value;
  else setOwn(loc.parent, loc.key, value);
  return ok(doc);
}

/** Checks a decoded patch document's shape (the apiserver's DecodePatch step). */
export function decodeJsonPatch(patch: unknown): Result<JsonPatchOp[]> {
  if (!Array.isArray(patch)) return fail(badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch'));
  for (const op of patch) {
    if (!isObject(op) || typeof op.op !== 'string') return fail(badRequest('Unexpected kind: unknown'));
    if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op.op)) return fail(badRequest(`Unexpected kind: ${op.op}`));
    if (typeof op.path !== 'string' || parsePointer(op.path) === undefined) return fail(badRequest(`${op.op} operation missing or invalid path`));
    if ((op.op === 'move' || op.op === 'copy') && (typeof op.from !== 'string' || parsePointer(op.from) === undefined)) {
      return fail(badRequest(`${op.op} operation missing or invalid from`));
    }
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !Object.hasOwn(op, 'value')) return fail(badRequest(`${op.op} operation missing value`));
  }
  return ok(patch as JsonPatchOp[]);
}

/** Applies an RFC 6902 patch to a copy of `doc`. */
export function applyJsonPatch<T>(doc: T, patch: unknown): Result<T> {
  const decoded = decodeJsonPatch(patch);
  if (!decoded.ok) return decoded;
  if (decoded.value.length > MAX_JSON_PATCH_OPERATIONS) {
    return fail(tooLarge(`Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${decoded.value.length}`));
  }
  let copied = 0;
  const work: Work = { shifted: 0 };
  let cur: unknown = clone(doc);
  for (const op of decoded.value) {
    const tokens = parsePointer(op.path) ?? [];
    let r: Result<unknown>;
    switch (op.op) {
      case 'add': r = add(cur, op.path, tokens, clone(op.value), work); break;
      case 'remove': r = remove(cur, op.path, tokens, 'remove', work); break;
      case 'replace': r = replace(cur, op.path, tokens, clone(op.value)); break;
      case 'test': {
        const g = get(cur, tokens);
        r = g.found && deepEqual(g.value, op.value) ? ok(cur) : unprocessable(`testing value ${op.path} failed: test failed`);
        break;
      }
      case 'move': case 'copy': {
        const from = parsePointer(op.from) ?? [];
        const g = get(cur, from);
        if (!g.found) { r = unprocessable(`${op.op} operation does not apply: doc is missing from path: ${op.from}: missing value`); break; }
        if (op.op === 'move' && op.path.startsWith(op.from + '/')) { r = unprocessable(`move operation does not apply: cannot move ${op.from} into its own child ${op.path}`); break; }
        if (op.op === 'move') {
          const moved = remove(cur, op.from, from, 'move', work);
          r = moved.ok ? add(moved.value, op.path, tokens, g.value, work) : moved;
          break;
        }
        // Measured before copying: doubling a value 24 times must fail at the limit, not after.
        copied += jsonSize(g.value, JSON_PATCH_MAX_COPY_BYTES - copied);
        if (copied > JSON_PATCH_MAX_COPY_BYTES) {
          r = unprocessable(`Unable to complete the copy, the accumulated size increase of copy is ${copied}, exceeding the limit ${JSON_PATCH_MAX_COPY_BYTES}`);
          break;
        }
        if (tokens.length + depthOf(g.value) > MAX_DEPTH) {
          r = unprocessable(`copy operation does not apply: the copy at "${op.path}" would exceed max depth of ${MAX_DEPTH}`);
          break;
        }
        r = add(cur, op.path, tokens, clone(g.value), work);
        break;
      }
    }
    if (!r.ok) return r;
    if (work.shifted > JSON_PATCH_MAX_SHIFTED_ITEMS) {
      return unprocessable(`Unable to complete the patch, its inserts and removals shift more than ${JSON_PATCH_MAX_SHIFTED_ITEMS} list items`);
    }
    cur = r.value;
  }
  return ok(cur as T);
}
