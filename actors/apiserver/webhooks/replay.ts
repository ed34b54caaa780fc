/** The webhook caller for `replay --verify`: rebuilt without `tell`, so nothing is posted; the recorded `webhook.answered` inputs drive its replies. */
import { fromDef } from '../../replay/components.ts';
import type { ReplayableActor } from '../../replay/registry.ts';
import { webhookCallerActor } from './caller.ts';

export const replayableWebhookCaller: ReplayableActor = fromDef('admission-webhooks', () => webhookCallerActor());
