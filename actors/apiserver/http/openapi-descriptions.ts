import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Descriptions } from '../../../api/openapi/schemas.ts';

/**
 * Field descriptions for the OpenAPI schemas (what `kubectl explain` prints), read from the
 * TSDoc of the kubernetes-types declarations, which carry Kubernetes' own API docs. Read
 * once per group-version file, on the first OpenAPI request that needs it.
 */
const DOC_THEN_DECL = /\/\*\*\s*([\s\S]*?)\s*\*\/\s*(?:export interface (\w+)|(\w+)\??:)/g;

const files = new Map<string, Map<string, { doc?: string; fields: Record<string, string> }>>();

function parse(text: string): Map<string, { doc?: string; fields: Record<string, string> }> {
  const out = new Map<string, { doc?: string; fields: Record<string, string> }>();
  let current: { doc?: string; fields: Record<string, string> } | undefined;
  // Interfaces in these files are flat, so a field belongs to the last interface declared before it.
  const starts: { at: number; name: string }[] = [];
  for (const m of text.matchAll(/export interface (\w+)/g)) starts.push({ at: m.index ?? 0, name: m[1]! });
  let i = -1;
  for (const m of text.matchAll(DOC_THEN_DECL)) {
    const doc = m[1]!.replace(/\n\s*\*\s?/g, '\n').trim();
    if (m[2]) {
      out.set(m[2], (current = { doc, fields: {} }));
      continue;
    }
    const at = m.index ?? 0;
    while (i + 1 < starts.length && starts[i + 1]!.at < at) i++;
    const owner = starts[i]?.name;
    if (!owner) continue;
    if (!out.has(owner)) out.set(owner, { fields: {} });
    current = out.get(owner)!;
    current.fields[m[3]!] = doc;
  }
  return out;
}

/** Descriptions of struct keys like "apps/v1.Deployment", from kubernetes-types/apps/v1.d.ts. */
export const kubernetesTypesDescriptions: Descriptions = (struct) => {
  const dot = struct.indexOf('.');
  const gv = struct.slice(0, dot);
  const name = struct.slice(dot + 1);
  let parsed = files.get(gv);
  if (!parsed) {
    try {
      const pkg = dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));
      parsed = parse(readFileSync(join(pkg, `${gv}.d.ts`), 'utf8'));
    } catch {
      parsed = new Map();
    }
    files.set(gv, parsed);
  }
  return parsed.get(name);
};
