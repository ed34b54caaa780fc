import type { Bus } from '../bus/bus.ts';
import { InProcessBus } from '../bus/inprocess.ts';
import { connectNatsBus } from '../bus/nats/index.ts';
import type { Clock } from '../actors/clock/clock.ts';
import { CliError, UsageError } from './args.ts';

/** The bus flags shared by `up` and `node`. */
export const busFlagOptions = {
  bus: { type: 'string' },
  'nats-prefix': { type: 'string' },
  'nats-identity': { type: 'string' },
  'nats-user': { type: 'string' },
  'nats-pass': { type: 'string' },
} as const;

export const BUS_FLAGS_HELP = `  --bus inproc|nats://HOST:PORT   the message bus (default inproc: one process)
  --nats-prefix PREFIX            subject prefix of this cluster on NATS (default kubeactor)
  --nats-identity ID              this process's NATS identity (default control-plane for up)
  --nats-user USER, --nats-pass PASS
                                  NATS credentials (default user = identity; env KUBEACTOR_NATS_PASS)`;

export interface BusFlags {
  bus?: string | undefined;
  'nats-prefix'?: string | undefined;
  'nats-identity'?: string | undefined;
  'nats-user'?: string | undefined;
  'nats-pass'?: string | undefined;
}

/**
 * Opens the bus the flags ask for; `describe` says what it is, for the start-up banner, and
 * `identity` is the NATS identity this process speaks as (`defaultIdentity` in-process).
 */
export async function openBus(flags: BusFlags, defaultIdentity: string, clock?: Clock): Promise<{ bus: Bus; describe: string; identity: string }> {
  const url = flags.bus ?? 'inproc';
  if (url === 'inproc') return { bus: new InProcessBus(clock ? { clock } : {}), describe: 'in-process', identity: defaultIdentity };
  if (!/^nats:\/\/[^/\s]+$/.test(url)) throw new UsageError(`--bus must be "inproc" or nats://HOST:PORT, got "${url}"`);
  const identity = flags['nats-identity'] ?? defaultIdentity;
  const pass = flags['nats-pass'] ?? process.env.KUBEACTOR_NATS_PASS;
  const prefix = flags['nats-prefix'] ?? 'kubeactor';
  const bus = await connectNatsBus({
    servers: url,
    prefix,
    identity,
    ...(flags['nats-user'] ? { user: flags['nats-user'] } : {}),
    ...(pass ? { pass } : {}),
    ...(clock ? { clock } : {}),
  }).catch((err: Error) => {
    throw new CliError(`cannot join NATS at ${url} as "${flags['nats-user'] ?? identity}": ${err.message}`);
  });
  return { bus, describe: `NATS ${url} (prefix ${prefix}, identity ${identity})`, identity };
}
