import { basename } from 'node:path';
import { intFlag, parse, UsageError } from './args.ts';
import { startReplayUi } from '../actors/ui/replay-ui.ts';
import { DEFAULT_UI_PORT, uiBanner } from '../actors/ui/server.ts';
import { DEFAULT_INSPECT_SELECT, inspectorBanner, startInspector } from '../actors/inspect/inspector.ts';
import { defaultRegistry } from '../actors/replay/builtins.ts';
import { formatDivergence } from '../actors/replay/divergence.ts';
import { globMatcher } from '../actors/replay/glob.ts';
import { loadLogs, type Positioned } from '../actors/replay/merge.ts';
import { runReplay } from '../actors/replay/replayer.ts';
import { entryJson, filterTimeline, formatEntry } from '../actors/replay/timeline.ts';

export const REPLAY_HELP = `kubeactor replay FILE… [options]

Reads message logs written by the recorder (FILE and its rotated parts FILE.1, FILE.2, …;
several files of one run — one per process in NATS mode — are merged by time, then seq).
SEQ is an entry's position in the (merged) log, as the timeline prints it.

  --timeline            one line per entry (the default when nothing else is asked)
  --actor GLOB          only entries involving matching addresses (comma-separated globs)
  --type GLOB           only entries of matching types (message type, event type, timer, start, stop,
                        snapshot, out.<effect>)
  --from SEQ --to SEQ   only entries in this range (inclusive)
  --json                JSON lines instead of text
  --at SEQ              state value and context of the --actor actors right after entry SEQ (every actor
                        is replayed up to SEQ); their divergences up to SEQ, if any, on stderr and exit 1
  --verify              rebuild every recorded actor from this build (its recorded config and seed, a
                        virtual clock), feed it its recorded inputs, and compare what it sends — each
                        request and reply, each watch's events in order, other messages in order per
                        receiver — and its persisted snapshot at the checkpoints the log ends with;
                        print a summary, or each actor's first divergence, and exit 1
  --inspect[=GLOB]      feed the replay to the Stately inspector (default: ${DEFAULT_INSPECT_SELECT})
  --port N              inspector port (default 8080)
  --speed S             with --inspect: instant (default), original, or a factor N (2 = twice as fast)
  --ui[=PORT]           open the web UI on the recording at http://127.0.0.1:PORT (default ${DEFAULT_UI_PORT};
                        0 = any free port): cluster, actor and message views at a point of the log, a
                        timeline scrubber (step, jump to a seq or time, play); from --at SEQ if given;
                        with --verify, the divergences highlighted, expected against actual
`;

export interface ReplayIo {
  out(line: string): void;
  err(line: string): void;
}

const stdio: ReplayIo = { out: (l) => void process.stdout.write(`${l}\n`), err: (l) => void process.stderr.write(`${l}\n`) };

/** `kubeactor replay`: returns the exit code (0 ok, 1 divergence or unreadable log, 2 usage). */
export async function replay(argv: string[], io: ReplayIo = stdio): Promise<number> {
  let args;
  try {
    args = parse(argv.map((a) => (a === '--inspect' ? `--inspect=${DEFAULT_INSPECT_SELECT}` : a === '--ui' ? `--ui=${DEFAULT_UI_PORT}` : a)), {
      timeline: { type: 'boolean' }, actor: { type: 'string' }, type: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
      json: { type: 'boolean' }, verify: { type: 'boolean' }, at: { type: 'string' }, inspect: { type: 'string' }, speed: { type: 'string' },
      port: { type: 'string' }, ui: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\n\n${REPLAY_HELP}`);
    return 2;
  }
  const v = args.values;
  if (v.help) return io.out(REPLAY_HELP), 0;
  if (args.positionals.length === 0) return io.err(`replay: no log file given\n\n${REPLAY_HELP}`), 2;
  let speed: number;
  try {
    speed = v.speed === undefined || v.speed === 'instant' ? Infinity : v.speed === 'original' ? 1 : Number(v.speed);
    if (!(speed > 0)) throw new UsageError(`--speed must be instant, original or a positive number, got "${v.speed}"`);
    const logs = loadLogs(args.positionals);
    for (const w of logs.warnings) io.err(`warning: ${w}`);
    if (logs.header === undefined) return io.err('replay: no readable log'), 1;
    const registry = defaultRegistry();
    if (v.ui !== undefined) {
      const at = v.at === undefined ? undefined : intFlag('at', v.at, 0);
      return await serveUi(logs.entries, logs.header, { port: intFlag('ui', v.ui, DEFAULT_UI_PORT), verify: v.verify === true, ...(at === undefined ? {} : { at }), title: `replay — ${args.positionals.map((f) => basename(f)).join(', ')}` }, io);
    }
    if (v.verify) return await verify(logs.entries, logs.header, registry, io);
    if (v.at !== undefined) return await at(logs.entries, logs.header, intFlag('at', v.at, 0), v.actor, v.json === true, io);
    if (v.inspect !== undefined) return await inspect(logs.entries, logs.header, v.inspect, intFlag('port', v.port, 8080), speed, io);
    const from = v.from === undefined ? undefined : intFlag('from', v.from, 0);
    const to = v.to === undefined ? undefined : intFlag('to', v.to, 0);
    for (const e of filterTimeline(logs.entries, { actor: v.actor, type: v.type, from, to })) io.out(v.json ? entryJson(e) : formatEntry(e));
    return 0;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\n\n${REPLAY_HELP}`);
    return 2;
  }
}

type Header = NonNullable<ReturnType<typeof loadLogs>['header']>;

async function verify(entries: Positioned[], header: Header, registry: ReturnType<typeof defaultRegistry>, io: ReplayIo): Promise<number> {
  const r = await runReplay(entries, { registry, header });
  for (const d of r.divergences) io.out(formatDivergence(d));
  for (const s of r.skipped) io.out(`skipped ${s.address}: ${s.reason}`);
  io.out(`verified ${r.actors.size} actor(s), ${r.matched} output(s) matched over ${r.entries} entries; ${r.skipped.length} skipped; ${r.divergences.length} divergence(s)`);
  return r.divergences.length > 0 ? 1 : 0;
}

async function at(entries: Positioned[], header: Header, seq: number, actor: string | undefined, json: boolean, io: ReplayIo): Promise<number> {
  const shown = globMatcher(actor);
  // Every actor is replayed up to SEQ (their sends pace the turns, see runReplay); only the selected are shown.
  const r = await runReplay(entries, { registry: defaultRegistry(), header, upTo: seq, select: shown });
  for (const [address, a] of r.actors) {
    if (!shown(address)) continue;
    const s = a.snapshot() as { value?: unknown; context?: unknown; status?: string } | undefined;
    const view = { address, status: s?.status, value: s?.value, context: s?.context };
    io.out(json ? JSON.stringify(view) : `${address} (${s?.status}) after seq ${seq}\n  value:   ${JSON.stringify(s?.value)}\n  context: ${JSON.stringify(s?.context, null, 2)?.replace(/\n/g, '\n  ')}`);
  }
  for (const s of r.skipped) io.err(`skipped ${s.address}: ${s.reason}`);
  // A state shown after a divergence is not one the recorded run had: say so, and exit 1 as --verify does.
  for (const d of r.divergences) io.err(formatDivergence(d));
  return r.divergences.length > 0 ? 1 : 0;
}

async function serveUi(entries: Positioned[], header: Header, opts: { port: number; verify: boolean; at?: number; title: string }, io: ReplayIo): Promise<number> {
  if (opts.verify) io.out('verifying…');
  const ui = await startReplayUi({ entries, header, registry: defaultRegistry(), ...opts });
  const ds = ui.source.divergences();
  if (ds) io.out(`verified: ${ds.length} divergence(s)`);
  io.out(uiBanner(ui.server));
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await ui.close();
  return ds && ds.length > 0 ? 1 : 0;
}

async function inspect(entries: Positioned[], header: Header, select: string, port: number, speed: number, io: ReplayIo): Promise<number> {
  const inspector = await startInspector({ port, select });
  io.out(inspectorBanner(inspector));
  const pace = async (e: Positioned, prev: Positioned | undefined): Promise<void> => {
    if (speed === Infinity || prev === undefined || e.at <= prev.at) return;
    await new Promise((r) => setTimeout(r, (e.at - prev.at) / speed));
  };
  const r = await runReplay(entries, { registry: defaultRegistry(), header, select: globMatcher(select), inspect: (a) => inspector.observe(a), pace });
  io.out(`replayed ${r.entries} entries into the inspector; Ctrl-C to stop`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await inspector.close();
  return 0;
}
