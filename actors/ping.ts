import type { Port } from '../bus/bus.ts';
import type { Envelope } from '../base/envelope.ts';
import { ok } from '../base/status.ts';

/**
 * Every actor host answers `sys.ping` itself (bus/catalogue/sys.ts), before the actor's
 * `toEvent` or chart sees it, so no actor answers liveness probes by hand. The replayer
 * calls it too, so a recording replays the answers. True when `env` was a ping request.
 */
export function answerPing(port: Port, env: Envelope): boolean {
  if (env.type !== 'sys.ping' || env.corr === undefined) return false;
  port.reply<'sys.ping'>(env, ok({ address: port.address, n: (env.payload as { n: number }).n }));
  return true;
}
