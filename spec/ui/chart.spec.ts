/**
 * Every state chart in machines/ lays out with elkjs and renders as SVG naming each of its
 * states and each event it handles; the active states of a snapshot are highlighted; a
 * layout is made once per machine.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActor, type AnyStateMachine } from 'xstate';
import { activeStateIds, allStates, chartOf, definitionJson, LayoutCache, renderChart, renderSvg, setActive, type ChartDef } from '../../ui/chart/index.ts';
import { podMachine } from '../../machines/pod/chart.ts';
import { turnMachine } from '../../machines/turn.ts';
import { reconcileMachine } from '../../machines/controllers/reconcile.ts';
import { schedulerChart } from '../../machines/scheduler/chart.ts';

const root = fileURLToPath(new URL('../../machines', import.meta.url));
const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));
const isMachine = (v: unknown): v is AnyStateMachine => typeof v === 'object' && v !== null && 'root' in v && 'definition' in v && typeof (v as { transition?: unknown }).transition === 'function';

/** Every exported XState machine under machines/, by module and export name. */
async function allMachines(): Promise<{ name: string; machine: AnyStateMachine }[]> {
  const out: { name: string; machine: AnyStateMachine }[] = [];
  for (const f of files(root).sort()) {
    const mod = (await import(f)) as Record<string, unknown>;
    for (const [k, v] of Object.entries(mod)) if (isMachine(v)) out.push({ name: `${relative(root, f)}:${k}`, machine: v });
  }
  return out;
}

const unescape = (s: string): string => s.replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c)));
/** The texts of an SVG string, unescaped. */
const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => unescape(m[1]!));

test('every chart in machines/ lays out and renders; the SVG names each state and each event', async () => {
  const machines = await allMachines();
  // The charts of the control plane, the pod, the turn pacing of replays: none is missed.
  const ids = new Set(machines.map((m) => m.machine.id));
  for (const id of ['apiserver', 'kv', 'scheduler', 'reconcile', 'pod', 'kubelet', 'informers', 'turn']) assert.ok(ids.has(id), `${id} found among ${[...ids].join(', ')}`);
  for (const { name, machine } of machines) {
    const def = chartOf(machine);
    const svg = await renderChart(def);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, name);
    assert.not.match(svg, /NaN|undefined/, name);
    const shown = texts(svg).join('\n');
    for (const s of allStates(def.root)) {
      assert.ok(svg.includes(`data-state="${s.id}"`), `${name}: state ${s.id} has its group`);
      assert.ok(texts(svg).some((t) => t === s.key || t.startsWith(`${s.key} `)), `${name}: state ${s.key} is named`);
      for (const t of s.transitions) assert.ok(shown.includes(t.label), `${name}: ${s.id} shows "${t.label}"`);
    }
    // Every event type the machine's config handles is on the chart.
    for (const s of allStates(def.root)) for (const t of s.transitions) if (t.kind === 'event') assert.ok(shown.includes(t.event), `${name}: event ${t.event}`);
  }
});

test('nested and parallel states are compound boxes around their children; edges carry EVENT [guard]', async () => {
  const def = chartOf(turnMachine);
  const cache = new LayoutCache();
  const l = await cache.get(def);
  const box = (id: string) => l.states.find((s) => s.state.id === id)!;
  const inTurn = box('turn.inTurn'), open = box('turn.inTurn.open');
  assert.ok(open.x >= inTurn.x && open.y >= inTurn.y && open.x + open.width <= inTurn.x + inTurn.width && open.y + open.height <= inTurn.y + inTurn.height, 'open inside inTurn');
  const send = l.edges.find((e) => e.source === 'turn.idle' && e.target === 'turn.drainQueued')!;
  assert.is(send.transition.label, 'send [drainArmed]');
  assert.ok(send.points.length >= 2);
  // A transition out of a nested state to a state of its parent's level.
  assert.ok(l.edges.some((e) => e.source === 'turn.inTurn.open' && e.target === 'turn.idle' && e.transition.label === 'turnEnded'));
  // The pod chart is parallel: its two regions side by side, each with its initial marker.
  const pod = chartOf(podMachine);
  const pl = await cache.get(pod);
  const life = pl.states.find((s) => s.state.id === 'pod.life')!, timer = pl.states.find((s) => s.state.id === 'pod.timer')!;
  assert.is(life.parentType, 'parallel');
  assert.ok(life.x + life.width <= timer.x || timer.x + timer.width <= life.x, 'regions do not overlap');
  assert.is(pl.initials.length, 2);
  const svg = renderSvg(pl);
  assert.match(svg, /class="state compound region" data-state="pod\.life"/);
  assert.match(svg, /after wake/);
  // The raised moves carry their guards, combinators spelled out.
  assert.match(svg, /pod\.wake \[and\(wakeGone, pending\)\]/);
  // An eventless transition reads `always [guard]` (the scheduler waits in idle for a ready pod).
  assert.match(renderSvg(await cache.get(chartOf(schedulerChart))), /always \[hasReadyPod\]/);
  // An invoked actor's done and error transitions read as such.
  const rl = await cache.get(chartOf(reconcileMachine));
  assert.ok(rl.edges.some((e) => e.source === 'reconcile.syncing' && e.transition.label === 'done: sync'));
  assert.ok(rl.edges.some((e) => e.transition.label === 'error: sync'));
});

test('the active states of a live snapshot are highlighted; setActive moves the highlight without a new layout', async () => {
  const def: ChartDef = chartOf(turnMachine);
  const actor = createActor(turnMachine).start();
  actor.send({ type: 'entry' });
  const value = actor.getSnapshot().value;
  assert.equal(value, { inTurn: 'open' });
  const ids = activeStateIds(def, value);
  assert.equal(ids, ['turn', 'turn.inTurn', 'turn.inTurn.open']);
  const svg = await renderChart(def, value);
  const activeGroups = [...svg.matchAll(/<g class="([^"]*)" data-state="([^"]*)"/g)].filter((m) => m[1]!.split(' ').includes('active')).map((m) => m[2]);
  assert.equal(activeGroups, ids);
  assert.match(svg, /<g class="edge from-active" data-source="turn\.inTurn\.open"/);
  // Parallel: one active leaf per region.
  const pod = chartOf(podMachine);
  assert.equal(activeStateIds(pod, { life: 'main', timer: 'armed' }), ['pod', 'pod.life', 'pod.life.main', 'pod.timer', 'pod.timer.armed']);
  // setActive on a mounted chart (the DOM's slice it uses).
  const el = (attrs: Record<string, string>, cls: string[]) => {
    const set = new Set(cls);
    return { attrs, set, getAttribute: (n: string) => attrs[n] ?? null, classList: { toggle: (t: string, f?: boolean) => ((f ?? !set.has(t)) ? set.add(t) : set.delete(t), set.has(t)) } };
  };
  const states = [el({ 'data-state': 'turn.idle' }, ['state', 'active']), el({ 'data-state': 'turn.due' }, ['state'])];
  const edges = [el({ 'data-source': 'turn.due' }, ['edge'])];
  setActive({ querySelectorAll: (q: string) => (q.startsWith('g.edge') ? edges : states) }, ['turn', 'turn.due']);
  assert.equal(states.map((s) => s.set.has('active')), [false, true]);
  assert.ok(edges[0]!.set.has('from-active'));
});

test('layouts are cached per machine: one run however many actors share a chart', async () => {
  const cache = new LayoutCache();
  const [a, b] = await Promise.all([cache.get(chartOf(reconcileMachine)), cache.get(chartOf(reconcileMachine))]);
  assert.is(a, b);
  assert.is(cache.size, 1);
  await cache.get(chartOf(podMachine));
  assert.is(cache.size, 2);
  // The definition JSON an inspection frame carries lays out too (without `always`, which it omits).
  const fromJson = chartOf(JSON.parse(JSON.stringify(turnMachine.definition)) as Record<string, unknown>);
  assert.equal(allStates(fromJson.root).map((s) => s.id), allStates(chartOf(turnMachine).root).map((s) => s.id));
  assert.match(renderSvg(await cache.get(fromJson)), /send \[drainArmed\]/);
  // definitionJson (what a server sends) keeps `always` and inline guards: its chart is the live machine's.
  for (const m of [podMachine, turnMachine, reconcileMachine]) {
    const wire = JSON.parse(JSON.stringify(definitionJson(m))) as Record<string, unknown>;
    assert.equal(chartOf(wire), chartOf(m));
  }
});

test.run();
