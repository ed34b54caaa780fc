/**
 * The admission webhook caller at address `apiserver.webhooks`: answers the apiserver's
 * `webhook.call` requests by posting the AdmissionReview over HTTPS (https.ts). It keeps the
 * network effect out of the apiserver actor, so a recording holds each call's answer as a bus
 * reply and `replay --verify` feeds it back without calling the webhook again. Only the
 * apiserver may ask it.
 */
import type { ActorDef } from '../../actor-def.ts';
import type { Envelope } from '../../../base/envelope.ts';
import type { PayloadOf } from '../../../bus/catalogue/index.ts';
import { APISERVER_ADDRESS } from '../../../bus/permissions.ts';
import { fail, forbidden, ok, status } from '../../../base/status.ts';
import { admissionWebhooksMachine } from '../../../machines/admission-webhooks.ts';
import { postJson } from './https.ts';

export const WEBHOOK_CALLER_ADDRESS = 'apiserver.webhooks';

export function webhookCallerActor(): ActorDef {
  return {
    address: WEBHOOK_CALLER_ADDRESS,
    create(ctx) {
      const machine = admissionWebhooksMachine.provide({
        actions: {
          call: (_, { event }) => {
            const env = event as Envelope<PayloadOf<'webhook.call'>>;
            if (env.from !== APISERVER_ADDRESS) {
              ctx.port.reply<'webhook.call'>(env, fail(forbidden(`actor "${env.from}" may not call admission webhooks: only the apiserver may`)));
              return;
            }
            const p = env.payload;
            void postJson(p.url, p.body, { timeoutSeconds: p.timeoutSeconds, ...(p.caBundle ? { caBundle: p.caBundle } : {}), ...(p.serverName ? { serverName: p.serverName } : {}) }).then((o) => {
              ctx.port.reply<'webhook.call'>(env, o.error !== undefined ? fail(status(500, 'InternalError', o.error)) : ok({ code: o.code, body: o.body ?? null }));
            });
          },
        },
      });
      return { machine };
    },
  };
}
