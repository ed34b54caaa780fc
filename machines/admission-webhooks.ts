import { assign, setup } from 'xstate';
import type { Envelope } from '../base/envelope.ts';

/** A call in flight: who asked (the reply goes back to it) under which correlation id. */
export interface PendingCall {
  from: string;
  corr: string;
}

export interface WebhookCallerContext {
  /** Calls posted and not answered yet, by `<from> <corr>`. */
  pending: Record<string, PendingCall>;
}

/** What a finished POST is told back as: the HTTP answer, or why there was none. */
export type WebhookAnswer = { code: number; body: unknown } | { error: string };

/** The outcome of the call `id`, told to the actor from outside the chart. */
export type WebhookAnswered = { type: 'webhook.answered'; id: string; answer: WebhookAnswer };

export type WebhookCallerEvent = Envelope | WebhookAnswered;

export const callId = (from: string, corr: string): string => `${from} ${corr}`;

/**
 * The admission webhook caller (actors/apiserver/webhooks/caller.ts): one state, serving.
 * A `webhook.call` request from the apiserver is remembered as pending and handed to the
 * `post` effect, which posts the AdmissionReview over HTTPS outside the chart; the outcome
 * comes back as `webhook.answered` (a recorded input, so a replay feeds it instead of calling
 * the webhook), and `reply` answers the apiserver. A call from anyone else is refused.
 */
export const admissionWebhooksMachine = setup({
  types: {} as { context: WebhookCallerContext; events: WebhookCallerEvent },
  actions: {
    post: (_, _params: { id: string; env: Envelope }) => undefined,
    reply: (_, _params: { to: PendingCall; answer: WebhookAnswer }) => undefined,
    refuse: (_, _params: { env: Envelope }) => undefined,
  },
  guards: {
    fromApiserver: ({ event }) => 'from' in event && event.from === 'apiserver',
  },
}).createMachine({
  id: 'admission-webhooks',
  context: { pending: {} },
  initial: 'serving',
  states: {
    serving: {
      on: {
        'webhook.call': [
          {
            guard: 'fromApiserver',
            actions: [
              assign({ pending: ({ context, event }) => ({ ...context.pending, [callId((event as Envelope).from, String((event as Envelope).corr))]: { from: (event as Envelope).from, corr: String((event as Envelope).corr) } }) }),
              { type: 'post', params: ({ event }) => ({ id: callId((event as Envelope).from, String((event as Envelope).corr)), env: event as Envelope }) },
            ],
          },
          { actions: { type: 'refuse', params: ({ event }) => ({ env: event as Envelope }) } },
        ],
        'webhook.answered': {
          guard: ({ context, event }) => event.type === 'webhook.answered' && context.pending[(event as { id: string }).id] !== undefined,
          actions: [
            {
              type: 'reply',
              params: ({ context, event }) => {
                const e = event as { id: string; answer: WebhookAnswer };
                return { to: context.pending[e.id]!, answer: e.answer };
              },
            },
            assign({
              pending: ({ context, event }) => {
                const { [(event as { id: string }).id]: _done, ...rest } = context.pending;
                return rest;
              },
            }),
          ],
        },
      },
    },
  },
});
