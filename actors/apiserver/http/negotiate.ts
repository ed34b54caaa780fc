/**
 * Content negotiation: which representation a client asked for in Accept, and what a
 * request body's Content-Type means. Kubernetes clients put the representation in media
 * type parameters (`application/json;as=Table;v=v1;g=meta.k8s.io`).
 */
import type { PatchType } from '../../../bus/catalogue/api.ts';

/** One media range of an Accept header, with its parameters lower-cased by name. */
export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** Splits an Accept header into media ranges, in the client's order. */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type = '', ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const i = p.indexOf('=');
      if (i > 0) params[p.slice(0, i).toLowerCase()] = p.slice(i + 1);
    }
    return { type: type.toLowerCase(), params };
  });
}

/** The exact Content-Type kubectl needs to read aggregated discovery. */
export const AGGREGATED_DISCOVERY = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** True when the client prefers aggregated discovery v2 (kubectl asks for it first). */
export function wantsAggregated(accept: string | undefined): boolean {
  return parseAccept(accept).some(
    (m) => m.params.as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io' && m.params.v === 'v2',
  );
}

/** True when the client asks for a meta.k8s.io Table (kubectl get's human output). */
export function wantsTable(accept: string | undefined): boolean {
  return parseAccept(accept).some((m) => m.params.as === 'Table' && m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1'));
}

/** True when the only acceptable representation is one this server cannot write (protobuf, CBOR). */
export function onlyUnsupported(accept: string | undefined): boolean {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return false;
  return ranges.every((m) => m.type === 'application/vnd.kubernetes.protobuf' || m.type === 'application/cbor');
}

/** How a request body is encoded. */
export type BodyFormat = 'json' | 'yaml' | 'protobuf';

export type ContentTypeMeaning =
  | { ok: true; format: BodyFormat; patchType?: PatchType }
  | { ok: false; mediaType: string };

/** Reads a Content-Type: the body's format and, for PATCH, Kubernetes' patch type. */
export function contentType(header: string | undefined): ContentTypeMeaning {
  const mediaType = (header ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  switch (mediaType) {
    case '':
    case 'application/json':
    case '*/*':
      return { ok: true, format: 'json' };
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      return { ok: true, format: 'yaml' };
    case 'application/vnd.kubernetes.protobuf':
      return { ok: true, format: 'protobuf' };
    case 'application/merge-patch+json':
      return { ok: true, format: 'json', patchType: 'merge' };
    case 'application/strategic-merge-patch+json':
      return { ok: true, format: 'json', patchType: 'strategic' };
    case 'application/json-patch+json':
      return { ok: true, format: 'json', patchType: 'json' };
    case 'application/apply-patch+yaml':
      // kubectl sends JSON here; YAML is a superset, so one parser reads both.
      return { ok: true, format: 'yaml', patchType: 'apply' };
    default:
      return { ok: false, mediaType };
  }
}
