/**
 * A simulation's scenario as data: the manifests applied at the start and the operator's
 * actions at virtual times (scale, rollout, delete, apply, cordon, drain, uncordon). Pure:
 * parsing the actions file and the default scenario; actors/simulate/operator.ts runs it.
 *
 * Actions file format (one action a line; `#` starts a comment; times like `90s`, `5m`, `1h30m`):
 *
 *     5m   scale deployment/web 5
 *     10m  rollout deployment/web app=nginx:1.28
 *     15m  delete job/batch
 *     20m  cordon node-3
 *     20m  drain node-3
 *     30m  uncordon node-3
 *     40m  apply more.yaml
 *
 * Objects are `kind/name` in the `default` namespace, or `namespace/kind/name`.
 */
import { parseGoDuration } from '../../api/duration.ts';

export type KubeManifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };

export type ScenarioAction =
  | { verb: 'scale'; ref: ObjectRef; replicas: number }
  | { verb: 'rollout'; ref: ObjectRef; container: string; image: string }
  | { verb: 'delete'; ref: ObjectRef }
  | { verb: 'apply'; file: string }
  | { verb: 'cordon' | 'uncordon' | 'drain'; node: string };

export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface TimedAction {
  /** Virtual ms after the start. */
  at: number;
  action: ScenarioAction;
  /** The line it came from, for messages. */
  line: string;
}

export interface Scenario {
  name: string;
  manifests: KubeManifest[];
  /** In time order (stable for equal times: file order). */
  actions: TimedAction[];
  /** Extra manifests an `apply` action names, by file name. */
  files: Record<string, KubeManifest[]>;
}

/** Parses `kind/name` or `namespace/kind/name`. */
export function parseRef(s: string): ObjectRef {
  const parts = s.split('/');
  if (parts.length === 2 && parts[0] && parts[1]) return { kind: parts[0].toLowerCase(), namespace: 'default', name: parts[1] };
  if (parts.length === 3 && parts[0] && parts[1] && parts[2]) return { kind: parts[1].toLowerCase(), namespace: parts[0], name: parts[2] };
  throw new Error(`"${s}" is not kind/name or namespace/kind/name`);
}

/** Parses an actions file; throws an Error naming the line on a bad one. */
export function parseActions(text: string): TimedAction[] {
  const out: TimedAction[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const [time, verb, ...args] = line.split(/\s+/);
    try {
      const at = parseGoDuration(time!);
      if (at === null || at < 0) throw new Error(`"${time}" is not a duration like 90s, 5m or 1h30m`);
      out.push({ at, action: parseAction(verb!, args), line: `line ${i + 1}: ${line}` });
    } catch (err) {
      throw new Error(`actions line ${i + 1} ("${line}"): ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  // A stable sort: actions at one time run in file order.
  return out.map((a, i) => ({ a, i })).sort((x, y) => x.a.at - y.a.at || x.i - y.i).map((x) => x.a);
}

function parseAction(verb: string, args: string[]): ScenarioAction {
  const need = (n: number): void => {
    if (args.length !== n) throw new Error(`${verb} takes ${n} argument(s), got ${args.length}`);
  };
  switch (verb) {
    case 'scale': {
      need(2);
      const replicas = Number(args[1]);
      if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`replicas must be a whole number >= 0, got "${args[1]}"`);
      return { verb, ref: parseRef(args[0]!), replicas };
    }
    case 'rollout': {
      need(2);
      const m = /^([^=]+)=(.+)$/.exec(args[1]!);
      if (!m) throw new Error(`rollout wants container=image, got "${args[1]}"`);
      return { verb, ref: parseRef(args[0]!), container: m[1]!, image: m[2]! };
    }
    case 'delete':
      need(1);
      return { verb, ref: parseRef(args[0]!) };
    case 'apply':
      need(1);
      return { verb, file: args[0]! };
    case 'cordon':
    case 'uncordon':
    case 'drain':
      need(1);
      return { verb, node: args[0]! };
    default:
      throw new Error(`unknown action "${verb}" (scale, rollout, delete, apply, cordon, uncordon, drain)`);
  }
}
