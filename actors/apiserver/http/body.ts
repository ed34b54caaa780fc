import type { IncomingMessage } from 'node:http';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { badRequest, fail, ok, tooLarge, unsupportedMediaType, type Result } from '../../../base/status.ts';
import { contentType } from './negotiate.ts';
import type { PatchType } from '../../../bus/catalogue/api.ts';
import { decodeKubeProtobuf } from './protobuf/decode.ts';
import { auditOf } from './audit.ts';
import { decodedProblem, jsonTextTooDeep, MAX_DEPTH, MAX_REQUEST_BODY_BYTES, yamlTextTooDeep } from '../../../api/limits.ts';

/** Kubernetes' default request body limit (3 MiB, apiserver's MaxRequestBodyBytes). */
export const DEFAULT_BODY_LIMIT = MAX_REQUEST_BODY_BYTES;

/** A decoded request body and, for PATCH, the patch type its Content-Type named. */
export interface Body {
  value: unknown;
  patchType?: PatchType;
}

const ACCEPTED = 'application/json, application/yaml, application/vnd.kubernetes.protobuf';

/**
 * Reads and decodes a request body: JSON, YAML, or the protobuf kubectl's typed clients
 * send (they never retry with JSON). Every failure is a Status: an unknown media type is a
 * 415 answered before the body is read, never a hang; an oversized body a 413; a malformed
 * one a 400 carrying the parser's position.
 */
export async function readBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<Result<Body>> {
  const ct = contentType(req.headers['content-type']);
  if (!ct.ok) {
    req.resume();
    return fail(unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${ACCEPTED}, application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json, application/apply-patch+yaml (got ${ct.mediaType})`));
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return fail(tooLarge(`the request body is too large: ${declared} bytes, the limit is ${limit}`));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      return fail(tooLarge(`the request body is too large: more than ${limit} bytes`));
    }
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  const decoded = ct.format === 'protobuf' ? decodeKubeProtobuf(bytes) : ct.format === 'json' ? decodeJson(bytes.toString('utf8')) : decodeYaml(bytes.toString('utf8'));
  if (!decoded.ok) return decoded;
  const problem = decodedProblem(decoded.value, MAX_DEPTH, ct.format === 'yaml');
  if (problem) return fail(badRequest(`the request body is invalid: ${problem}`));
  auditOf(req)?.requestObject(decoded.value);
  return ok(ct.patchType ? { value: decoded.value, patchType: ct.patchType } : { value: decoded.value });
}

/** Decodes JSON; an empty body is `undefined` (DELETE without DeleteOptions). */
export function decodeJson(text: string): Result<unknown> {
  if (text.trim() === '') return ok(undefined);
  if (jsonTextTooDeep(text)) return fail(badRequest(`the request body is invalid: exceeded max depth of ${MAX_DEPTH}`));
  try {
    return ok(JSON.parse(text));
  } catch (err) {
    return fail(badRequest(`the request body is not valid JSON: ${(err as Error).message}`));
  }
}

/** Decodes one YAML document (JSON is YAML too). */
export function decodeYaml(text: string): Result<unknown> {
  if (text.trim() === '') return ok(undefined);
  // kubectl sends apply patches as JSON: parsed as such, they skip the YAML library (seconds per MiB).
  if (/^\s*[[{]/.test(text) && !jsonTextTooDeep(text)) {
    try {
      return ok(JSON.parse(text));
    } catch {
      // YAML flow style, not JSON: the YAML parser decides
    }
  }
  if (yamlTextTooDeep(text)) return fail(badRequest(`the request body is invalid: exceeded max depth of ${MAX_DEPTH}`));
  try {
    // Duplicate keys take the last value, as in JSON bodies; the library's check is quadratic in the keys of a map.
    return ok(parseYaml(text, { uniqueKeys: false }));
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const at = err.linePos?.[0];
      const where = at ? ` (line ${at.line}, column ${at.col})` : '';
      return fail(badRequest(`the request body is not valid YAML${where}: ${err.message.split('\n')[0]}`));
    }
    return fail(badRequest(`the request body is not valid YAML: ${(err as Error).message}`));
  }
}
