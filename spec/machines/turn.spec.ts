import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, transition } from 'xstate';
import { ALL_DELIVERED, DUE, ENTRY, SEND, startTurns, turnStep } from '../../actors/record/turns.ts';
import { turnMachine, type TurnEvent } from '../../machines/turn.ts';

const microtask = (): Promise<void> => Promise.resolve();
const loopIdle = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A replayer's view: the turn engine with a `feedNext` that logs when the next turn became due, and how. */
function replayer() {
  const log: string[] = [];
  let inMicrotask = true;
  const turns = startTurns(() => void log.push(inMicrotask ? 'fed in the drain microtask' : 'fed after the loop idled'));
  // Anything queued after this runs once the loop idled: tells the two ways apart.
  setImmediate(() => (inMicrotask = false));
  return { turns, log };
}

test('recorder: entries in one synchronous run share a turn; a microtask boundary starts the next', async () => {
  const turns = startTurns();
  const numbers: number[] = [];
  const append = (): void => {
    turns.send(ENTRY);
    numbers.push(turns.turn);
  };
  append(), append(), append();
  await microtask();
  append();
  await loopIdle();
  append(), append();
  await new Promise((r) => setTimeout(r, 0));
  append();
  assert.equal(numbers, [1, 1, 1, 2, 3, 3, 4]);
});

test('recorder: idling between turns never stops the numbering', async () => {
  const turns = startTurns();
  for (let k = 1; k <= 5; k++) {
    turns.send(ENTRY);
    assert.is(turns.turn, k);
    await loopIdle();
  }
});

test('replay: a send after the fed turn\'s last delivery feeds the next bus turn in a microtask, as the bus drains', async () => {
  const { turns, log } = replayer();
  turns.send({ type: 'feed', hasDeliveries: true, drainNext: true });
  // Sent while the turn's deliveries are still being fed: part of the same drain.
  turns.send(SEND);
  turns.send(ALL_DELIVERED);
  assert.equal(log, []);
  turns.send(SEND);
  // The second send after the last delivery changes nothing: the drain is queued once.
  turns.send(SEND);
  await loopIdle();
  assert.equal(log, ['fed in the drain microtask']);
});

test('replay: with no send, or when the next recorded turn is not bus deliveries, the next turn waits for the loop to idle', async () => {
  for (const drainNext of [true, false]) {
    const { turns, log } = replayer();
    turns.send({ type: 'feed', hasDeliveries: true, drainNext });
    turns.send(ALL_DELIVERED);
    if (!drainNext) turns.send(SEND);
    for (let k = 0; k < 5; k++) await microtask();
    assert.equal(log, [], 'not fed within the microtasks of the turn');
    await loopIdle();
    await loopIdle();
    assert.equal(log, ['fed after the loop idled'], `drainNext ${drainNext}`);
  }
});

test('replay: a turn without deliveries (a timer firing) is armed from its start; a continuation\'s send after the turn still drains, once', async () => {
  const first = replayer();
  first.turns.send({ type: 'feed', hasDeliveries: false, drainNext: true });
  first.turns.send(SEND);
  await loopIdle();
  assert.equal(first.log, ['fed in the drain microtask']);

  const later = replayer();
  later.turns.send({ type: 'feed', hasDeliveries: true, drainNext: true });
  later.turns.send(ALL_DELIVERED);
  await microtask();
  await microtask();
  // A promise continuation sends after the synchronous run ended: the wait for the idle loop is dropped for the drain.
  later.turns.send(SEND);
  await loopIdle();
  await loopIdle();
  assert.equal(later.log, ['fed in the drain microtask']);
});

test('replay paced (--speed): once the next turn is due, sends queue nothing more until it is fed', async () => {
  const fed: string[] = [];
  const turns = startTurns(() => {
    turns.send(DUE);
    fed.push('due');
  });
  turns.send({ type: 'feed', hasDeliveries: false, drainNext: true });
  await loopIdle();
  await loopIdle();
  assert.equal(fed, ['due']);
  // The pace's timer is running: a send now (a continuation of the fed turn) is not a drain.
  turns.send(SEND);
  await loopIdle();
  await loopIdle();
  assert.equal(fed, ['due']);
  turns.send({ type: 'feed', hasDeliveries: false, drainNext: false });
  assert.is(turns.turn, 2);
});

test('replay: a continuation that makes the call the next turn starts with pulls that turn in at once; the wait for the idle loop is dropped', async () => {
  const { turns, log } = replayer();
  turns.send({ type: 'feed', hasDeliveries: true, drainNext: false });
  turns.send(ALL_DELIVERED);
  assert.not.ok(turns.pull(), 'not while the fed turn runs: the call belongs to that synchronous run');
  await microtask();
  await microtask();
  // The turn ended and the next one waits for the loop to idle: a continuation's call pulls it.
  assert.ok(turns.pull());
  turns.send({ type: 'feed', hasDeliveries: false, drainNext: false });
  assert.is(turns.turn, 2);
  await loopIdle();
  await loopIdle();
  // The cancelled wait fed nothing; the pulled turn's own end waits for the idle loop as usual.
  assert.equal(log, ['fed after the loop idled']);
});

test('the chart: turns numbered, states as the replayer paces them; sends ignored while the next turn is due', () => {
  const actor = createActor(turnMachine).start();
  const state = () => JSON.stringify(actor.getSnapshot().value);
  assert.is(state(), '"idle"');
  actor.send({ type: 'feed', hasDeliveries: true, drainNext: true });
  assert.is(state(), '{"inTurn":"open"}');
  assert.equal(actor.getSnapshot().context, { turn: 1, delivered: false, drainNext: true });
  actor.send(SEND);
  assert.is(state(), '{"inTurn":"open"}', 'a send before the last delivery queues nothing');
  actor.send(ALL_DELIVERED);
  actor.send(SEND);
  assert.is(state(), '{"inTurn":"drainQueued"}');
  actor.send({ type: 'turnEnded' });
  assert.is(state(), '"drainQueued"');
  actor.send({ type: 'due' });
  actor.send(SEND);
  assert.is(state(), '"due"');
  actor.send({ type: 'feed', hasDeliveries: false, drainNext: false });
  assert.is(state(), '{"inTurn":"open"}');
  actor.send(SEND);
  actor.send({ type: 'turnEnded' });
  assert.is(state(), '"idle"');
  assert.is(actor.getSnapshot().context.turn, 2);
  actor.send(ENTRY);
  actor.send(ENTRY);
  assert.is(actor.getSnapshot().context.turn, 3);
});


test('the memoized steps go where the chart goes, whatever the turn number', () => {
  // A random walk through the chart: every step the engine memoized equals XState's transition
  // from the same snapshot, with the turn number the walk reached (the memo keys leave it out).
  const events: TurnEvent[] = [ENTRY, ALL_DELIVERED, SEND, DUE, { type: 'turnEnded' }, { type: 'pull' }, ...[false, true].flatMap((hasDeliveries) => [false, true].map((drainNext) => ({ type: 'feed' as const, hasDeliveries, drainNext })))];
  let snapshot = createActor(turnMachine).getSnapshot();
  let seed = 7;
  const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let k = 0; k < 5000; k++) {
    const event = events[random(events.length)]!;
    const step = turnStep(JSON.stringify(snapshot.value), { ...snapshot.context }, event);
    const [next, actions] = transition(turnMachine, snapshot, event);
    assert.equal(
      { value: JSON.parse(step.value), delivered: step.delivered, drainNext: step.drainNext, turn: snapshot.context.turn + step.turnDelta, taken: step.taken, effects: step.effects },
      { value: next.value, delivered: next.context.delivered, drainNext: next.context.drainNext, turn: next.context.turn, taken: snapshot.can(event), effects: actions.map((a) => a.type) },
    );
    snapshot = next;
  }
});

test.run();
