import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { admissionWebhooksMachine, type WebhookAnswer } from '../../machines/admission-webhooks.ts';
import type { Envelope } from '../../base/envelope.ts';

function run() {
  const posted: string[] = [];
  const replies: { to: string; corr: string; answer: WebhookAnswer }[] = [];
  const refused: string[] = [];
  const machine = admissionWebhooksMachine.provide({
    actions: {
      post: (_, { id }) => void posted.push(id),
      reply: (_, { to, answer }) => void replies.push({ to: to.from, corr: to.corr, answer }),
      refuse: (_, { env }) => void refused.push(env.from),
    },
  });
  const actor = createActor(machine).start();
  const call = (from: string, corr: string) => actor.send({ seq: 1, from, to: 'apiserver.webhooks', type: 'webhook.call', payload: {}, corr, at: 0 } as Envelope);
  return { actor, call, posted, replies, refused };
}

test('a call from the apiserver is posted, and its answer replied to the caller once', () => {
  const r = run();
  r.call('apiserver', 'c1');
  r.call('apiserver', 'c2');
  assert.equal(r.posted, ['apiserver c1', 'apiserver c2']);
  r.actor.send({ type: 'webhook.answered', id: 'apiserver c2', answer: { code: 200, body: { ok: 1 } } });
  r.actor.send({ type: 'webhook.answered', id: 'apiserver c1', answer: { error: 'dial tcp 127.0.0.1:1: connect: connection refused' } });
  r.actor.send({ type: 'webhook.answered', id: 'apiserver c1', answer: { code: 200, body: null } });
  assert.equal(r.replies, [
    { to: 'apiserver', corr: 'c2', answer: { code: 200, body: { ok: 1 } } },
    { to: 'apiserver', corr: 'c1', answer: { error: 'dial tcp 127.0.0.1:1: connect: connection refused' } },
  ]);
  assert.equal(r.actor.getSnapshot().context.pending, {});
});

test('anyone but the apiserver is refused and nothing is posted', () => {
  const r = run();
  r.call('controller.deployment', 'x');
  assert.equal(r.posted, []);
  assert.equal(r.refused, ['controller.deployment']);
});

test.run();
