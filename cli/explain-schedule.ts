/**
 * `kubeactor explain-schedule <pod>`: why the scheduler put a pod where it did (or nowhere).
 *
 * How it reaches the scheduler: through the pod itself. A pod annotated
 * `scheduler.kubeactor.io/explain: "true"` (or every pod, when the scheduler runs with
 * `annotate: 'all'`) gets kube-scheduler-simulator's result annotations — filter-result,
 * score-result, finalscore-result, selected-node — written with its binding (or, when it
 * does not fit, with its PodScheduled=False update). This command reads them with one
 * plain GET through the kubeconfig, so it works wherever kubectl works and needs no
 * endpoint of its own; on the bus, `scheduler.explain` answers the same for any recent pod.
 */
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parse as parseYaml } from 'yaml';
import { FILTER_RESULT, FINAL_SCORE_RESULT, PASSED, SCORE_RESULT, SELECTED_NODE } from '../machines/scheduler/explain.ts';
import { EXPLAIN_ANNOTATION } from '../actors/scheduler/options.ts';
import { parse, UsageError } from './args.ts';

export const EXPLAIN_SCHEDULE_HELP = `kubeactor explain-schedule — why a pod was scheduled where it was

Usage: kubeactor explain-schedule POD [-n NAMESPACE] [flags]

Prints, per node the scheduler examined, the filter verdict (or the plugin that rejected
the node and why), each score plugin's weighted score and the total; the selected node
first. The pod must have been scheduled with the annotation
  ${EXPLAIN_ANNOTATION}: "true"
(or by a scheduler that annotates every pod).

Flags:
  -n, --namespace NS     the pod's namespace (default: the context's, else default)
  --kubeconfig PATH      default $KUBECONFIG, else ~/.kube/config
  --context NAME         a context of the kubeconfig (default: current-context)
  --server URL           the apiserver's https URL (overrides the kubeconfig's; with
                         --token and --certificate-authority no kubeconfig is needed)
  --token TOKEN          bearer token (overrides the kubeconfig's)
  --certificate-authority FILE
                         PEM of the CA that signed the server's certificate
  --insecure-skip-tls-verify
                         do not check the server's certificate
  -o, --output json      print the raw annotations as JSON instead of a table
  -h, --help             this text`;

const options = {
  namespace: { type: 'string', short: 'n' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  server: { type: 'string' },
  token: { type: 'string' },
  'certificate-authority': { type: 'string' },
  'insecure-skip-tls-verify': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
} as const;

type NodeMap = Record<string, Record<string, string>>;

export async function explainSchedule(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, options);
  const name = positionals[0];
  if (!name) throw new UsageError('a pod name is required');
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  if (values.output !== undefined && values.output !== 'json') throw new UsageError(`--output must be json, got "${values.output}"`);
  const path = values.kubeconfig ?? process.env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
  const base: Target = values.server && !values.kubeconfig && !existsSync(path) ? { server: values.server, insecure: false } : loadKubeconfig(path, values.context);
  const cfg: Target = {
    ...base,
    ...(values.server ? { server: values.server.replace(/\/$/, '') } : {}),
    ...(values.token ? { token: values.token } : {}),
    ...(values['certificate-authority'] ? { ca: readFileSync(values['certificate-authority']) } : {}),
    ...(values['insecure-skip-tls-verify'] ? { insecure: true } : {}),
  };
  if (!cfg.server.startsWith('https://')) throw new UsageError(`the server must be an https:// URL, got "${cfg.server}"`);
  const namespace = values.namespace ?? cfg.namespace ?? 'default';
  let res: { status: number; body: string };
  try {
    res = await get(cfg, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`);
  } catch (err) {
    console.error(`Unable to reach ${cfg.server}: ${(err as Error).message}`);
    return 1;
  }
  if (res.status !== 200) {
    const msg = (JSON.parse(res.body || '{}') as { message?: string }).message ?? `HTTP ${res.status}`;
    console.error(`Error from server: ${msg}`);
    return 1;
  }
  const pod = JSON.parse(res.body) as Pod;
  const a = pod.metadata?.annotations ?? {};
  if (!a[FILTER_RESULT]) {
    console.error(`pod ${namespace}/${name} carries no scheduling result. Create it with the annotation ${EXPLAIN_ANNOTATION}: "true" (or run the scheduler with annotate: all).`);
    return 1;
  }
  if (values.output === 'json') {
    const pick = (k: string) => (a[k] ? JSON.parse(a[k]) : undefined);
    console.log(JSON.stringify({ selectedNode: a[SELECTED_NODE], filter: pick(FILTER_RESULT), score: pick(SCORE_RESULT), finalScore: pick(FINAL_SCORE_RESULT) }, null, 2));
    return 0;
  }
  console.log(renderExplanation(pod));
  return 0;
}

/** The table `explain-schedule` prints for a pod carrying the simulator's annotations. */
export function renderExplanation(pod: Pod): string {
  const a = pod.metadata?.annotations ?? {};
  const filter = JSON.parse(a[FILTER_RESULT] ?? '{}') as NodeMap;
  const final = JSON.parse(a[FINAL_SCORE_RESULT] ?? '{}') as NodeMap;
  const selected = a[SELECTED_NODE];
  const plugins = [...new Set(Object.values(final).flatMap((m) => Object.keys(m)))];
  const total = (n: string) => Object.values(final[n] ?? {}).reduce((s, v) => s + Number(v), 0);
  const rejection = (n: string) => Object.entries(filter[n] ?? {}).find(([, v]) => v !== PASSED);
  // The selected node, then feasible ones best first, then rejected ones.
  const rank = (n: string) => (n === selected ? 0 : rejection(n) ? 2 : 1);
  const nodes = Object.keys(filter).sort((x, y) => rank(x) - rank(y) || total(y) - total(x) || (x < y ? -1 : 1));
  const rows = nodes.map((n) => {
    const r = rejection(n);
    const verdict = r ? `rejected by ${r[0]}: ${r[1]}` : n === selected ? 'selected' : 'feasible';
    return [n, verdict, ...plugins.map((p) => final[n]?.[p] ?? ''), r ? '' : String(total(n))];
  });
  const m = pod.metadata ?? {};
  const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const head = selected
    ? `Pod ${m.namespace}/${m.name}: scheduled to ${selected}`
    : `Pod ${m.namespace}/${m.name}: not scheduled${cond?.message ? ` (${cond.message})` : ''}`;
  const legend = plugins.length ? '\nScores are normalized (0-100) times the plugin weight; TOTAL is their sum.' : '';
  return `${head}\n\n${table(['NODE', 'FILTER', ...plugins, 'TOTAL'], rows)}${legend}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('   ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

interface Target {
  server: string;
  ca?: string | Buffer;
  token?: string;
  insecure: boolean;
  namespace?: string;
}

type Named<T> = Array<{ name: string } & T>;

function loadKubeconfig(path: string, contextName?: string): Target {
  const doc = parseYaml(readFileSync(path, 'utf8')) as {
    'current-context'?: string;
    contexts?: Named<{ context: { cluster: string; user: string; namespace?: string } }>;
    clusters?: Named<{ cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string; 'insecure-skip-tls-verify'?: boolean } }>;
    users?: Named<{ user: { token?: string; tokenFile?: string } }>;
  };
  const ctxName = contextName ?? doc['current-context'];
  const ctx = doc.contexts?.find((c) => c.name === ctxName)?.context;
  if (!ctx) throw new UsageError(`kubeconfig ${path} has no context "${ctxName ?? ''}"`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster) throw new UsageError(`kubeconfig ${path} has no cluster "${ctx.cluster}"`);
  const user = doc.users?.find((u) => u.name === ctx.user)?.user ?? {};
  const caData = cluster['certificate-authority-data'];
  const caFile = cluster['certificate-authority'];
  return {
    server: cluster.server.replace(/\/$/, ''),
    ...(caData ? { ca: Buffer.from(caData, 'base64') } : caFile ? { ca: readFileSync(caFile) } : {}),
    ...(user.token ? { token: user.token } : user.tokenFile ? { token: readFileSync(user.tokenFile, 'utf8').trim() } : {}),
    insecure: cluster['insecure-skip-tls-verify'] === true,
    ...(ctx.namespace ? { namespace: ctx.namespace } : {}),
  };
}

function get(t: Target, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.server}${path}`, {
      method: 'GET',
      headers: { accept: 'application/json', ...(t.token ? { authorization: `Bearer ${t.token}` } : {}) },
      ...(t.ca ? { ca: t.ca } : {}),
      rejectUnauthorized: !t.insecure,
      timeout: 20_000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}
