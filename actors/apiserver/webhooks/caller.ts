/**
 * The admission webhook caller at address `apiserver.webhooks`: answers the apiserver's
 * `webhook.call` requests by posting the AdmissionReview over HTTPS (https.ts). The network
 * effect stays out of the apiserver actor and out of the chart (machines/admission-webhooks.ts):
 * its outcome is told back to the actor as `webhook.answered` through the host, which records
 * it, so `replay --verify` rebuilds this actor without `tell` (no call is made) and feeds it
 * the recorded answers. Only the apiserver may ask it.
 */
import type { ActorDef } from '../../actor-def.ts';
import type { Envelope } from '../../../base/envelope.ts';
import type { PayloadOf } from '../../../bus/catalogue/index.ts';
import { fail, forbidden, ok, status } from '../../../base/status.ts';
import { admissionWebhooksMachine, type WebhookAnswered } from '../../../machines/admission-webhooks.ts';
import { postJson } from './https.ts';

export const WEBHOOK_CALLER_ADDRESS = 'apiserver.webhooks';

/** `tell` hands an event to the running actor through its host (recorded); absent in a replay, where nothing is posted. */
export function webhookCallerActor(tell?: (event: WebhookAnswered) => void): ActorDef {
  return {
    address: WEBHOOK_CALLER_ADDRESS,
    create(ctx) {
      const machine = admissionWebhooksMachine.provide({
        actions: {
          post: (_, { id, env }) => {
            if (!tell) return;
            const p = (env as Envelope<PayloadOf<'webhook.call'>>).payload;
            void postJson(p.url, p.body, { timeoutSeconds: p.timeoutSeconds, ...(p.caBundle ? { caBundle: p.caBundle } : {}), ...(p.serverName ? { serverName: p.serverName } : {}) }).then((o) =>
              tell({ type: 'webhook.answered', id, answer: o.error !== undefined ? { error: o.error } : { code: o.code, body: o.body ?? null } }),
            );
          },
          reply: (_, { to, answer }) => {
            const req = { from: to.from, corr: to.corr } as Envelope;
            ctx.port.reply<'webhook.call'>(req, 'error' in answer ? fail(status(500, 'InternalError', answer.error)) : ok(answer));
          },
          refuse: (_, { env }) => ctx.port.reply<'webhook.call'>(env as Envelope<PayloadOf<'webhook.call'>>, fail(forbidden(`actor "${env.from}" may not call admission webhooks: only the apiserver may`))),
        },
      });
      return { machine };
    },
  };
}
