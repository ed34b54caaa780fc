import { setup } from 'xstate';
import type { Envelope } from '../base/envelope.ts';

/**
 * The admission webhook caller (actors/apiserver/webhooks/caller.ts): one state, serving.
 * Each `webhook.call` request from the apiserver is handed to the `call` effect, which posts
 * the AdmissionReview over HTTPS and replies with the answer; calls run side by side, each
 * bounded by its own timeout, so the chart keeps nothing between them.
 */
export const admissionWebhooksMachine = setup({
  types: {} as { events: Envelope },
  actions: {
    call: (_, _params: { event: Envelope }) => undefined,
  },
}).createMachine({
  id: 'admission-webhooks',
  initial: 'serving',
  states: {
    serving: {
      on: {
        'webhook.call': { actions: { type: 'call', params: ({ event }) => ({ event }) } },
      },
    },
  },
});
