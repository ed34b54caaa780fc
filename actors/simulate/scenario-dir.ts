/**
 * Reads `--scenario DIR`: every `*.yaml` / `*.yml` / `*.json` file directly in DIR (in name
 * order, several documents a file) is applied at the start, except files an `apply` action
 * names, which wait for it; `DIR/actions` (or `actions.txt`) holds the timed actions
 * (machines/simulate/scenario.ts describes the format). A missing actions file means none.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseActions, type KubeManifest, type Scenario } from '../../machines/simulate/scenario.ts';

function manifestsOf(file: string): KubeManifest[] {
  const text = readFileSync(file, 'utf8');
  const docs = file.endsWith('.json') ? [JSON.parse(text) as unknown] : parseAllDocuments(text).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]!.message}`);
    return d.toJSON() as unknown;
  });
  const out: KubeManifest[] = [];
  for (const d of docs.flatMap((x) => ((x as { kind?: string }).kind === 'List' ? ((x as { items?: unknown[] }).items ?? []) : [x]))) {
    if (d === null || d === undefined) continue;
    const m = d as KubeManifest;
    if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string' || typeof m.metadata?.name !== 'string') throw new Error(`${file}: every document needs apiVersion, kind and metadata.name`);
    out.push(m);
  }
  return out;
}

export function loadScenario(dir: string): Scenario {
  if (!existsSync(dir)) throw new Error(`scenario directory ${dir} does not exist`);
  const actionsFile = ['actions', 'actions.txt'].map((f) => join(dir, f)).find((f) => existsSync(f));
  const actions = actionsFile ? parseActions(readFileSync(actionsFile, 'utf8')) : [];
  const later = new Set(actions.flatMap((a) => (a.action.verb === 'apply' ? [a.action.file] : [])));
  const files: Record<string, KubeManifest[]> = {};
  const manifests: KubeManifest[] = [];
  for (const f of readdirSync(dir).filter((n) => /\.(ya?ml|json)$/.test(n)).sort()) {
    const ms = manifestsOf(join(dir, f));
    files[f] = ms;
    if (!later.has(f)) manifests.push(...ms);
  }
  for (const f of later) if (!(f in files)) throw new Error(`actions apply ${f}, which is not a manifest file in ${dir}`);
  return { name: basename(dir), manifests, actions, files };
}
