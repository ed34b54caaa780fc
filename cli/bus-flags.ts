import type { Bus } from '../bus/bus.ts';
import { InProcessBus } from '../bus/inprocess.ts';
import { connectNatsBus } from '../bus/nats/index.ts';
import { anonymousReachesKv } from '../bus/nats/anonymous-probe.ts';
import type { Clock } from '../base/clock.ts';
import { CliError, UsageError } from './args.ts';
import { DEFAULT_INBOX_LIMIT } from '../bus/inbox.ts';

/** The bus flags shared by `up` and `node`. */
export const busFlagOptions = {
  bus: { type: 'string' },
  'nats-prefix': { type: 'string' },
  'nats-identity': { type: 'string' },
  'nats-user': { type: 'string' },
  'nats-pass': { type: 'string' },
  'insecure-bus': { type: 'boolean' },
  'max-inbox': { type: 'string' },
} as const;

export const INSECURE_BUS_HELP = `  --insecure-bus                  join a NATS server that lets clients without credentials reach the
                                  kv actor (refused otherwise: use \`kubeactor nats-config\`)`;

export const MAX_INBOX_HELP = `  --max-inbox N                   requests an actor may hold unanswered before the bus answers 429
                                  TooManyRequests for it at once (default ${DEFAULT_INBOX_LIMIT}; the apiserver's
                                  own backstop is 100000, API Priority and Fairness queues before it)`;

export const BUS_FLAGS_HELP = `  --bus inproc|nats://HOST:PORT   the message bus (default inproc: one process)
  --nats-prefix PREFIX            subject prefix of this cluster on NATS (default kubeactor)
  --nats-identity ID              this process's NATS identity (default control-plane for up)
  --nats-user USER, --nats-pass PASS
                                  NATS credentials (default user = identity; env KUBEACTOR_NATS_PASS)
${INSECURE_BUS_HELP}
${MAX_INBOX_HELP}`;

export interface BusFlags {
  bus?: string | undefined;
  'nats-prefix'?: string | undefined;
  'nats-identity'?: string | undefined;
  'nats-user'?: string | undefined;
  'nats-pass'?: string | undefined;
  'insecure-bus'?: boolean | undefined;
  'max-inbox'?: string | undefined;
}

/** `--max-inbox N`: a positive integer, or undefined for the default. */
export function inboxLimitFlag(flags: BusFlags): number | undefined {
  const v = flags['max-inbox'];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--max-inbox must be a positive integer, got "${v}"`);
  return n;
}

/** Why a server without the generated permissions is refused, for the error and the --insecure-bus warning. */
const insecureBus = (url: string): string =>
  `NATS at ${url} lets clients without credentials publish to the kv actor as the control plane: anyone who can reach it could read every Secret and forge tokens`;

/**
 * Opens the bus the flags ask for, refusing a NATS server that lets anonymous clients reach
 * the kv actor unless --insecure-bus (then it warns on stderr); `describe` says what it is, for the start-up banner, and
 * `identity` is the NATS identity this process speaks as (`defaultIdentity` in-process).
 */
export async function openBus(flags: BusFlags, defaultIdentity: string, clock?: Clock): Promise<{ bus: Bus; describe: string; identity: string }> {
  const url = flags.bus ?? 'inproc';
  const inboxLimit = inboxLimitFlag(flags);
  const limits = inboxLimit === undefined ? {} : { inboxLimit };
  if (url === 'inproc') return { bus: new InProcessBus({ ...(clock ? { clock } : {}), ...limits }), describe: 'in-process', identity: defaultIdentity };
  // A cluster is several URLs, comma-separated: the client fails over between them.
  const servers = url.split(',');
  if (!servers.every((u) => /^nats:\/\/[^/\s,]+$/.test(u))) throw new UsageError(`--bus must be "inproc" or nats://HOST:PORT[,nats://HOST:PORT…], got "${url}"`);
  const identity = flags['nats-identity'] ?? defaultIdentity;
  const pass = flags['nats-pass'] ?? process.env.KUBEACTOR_NATS_PASS;
  const prefix = flags['nats-prefix'] ?? 'kubeactor';
  const bus = await connectNatsBus({
    servers,
    prefix,
    identity,
    ...(flags['nats-user'] ? { user: flags['nats-user'] } : {}),
    ...(pass ? { pass } : {}),
    ...(clock ? { clock } : {}),
    ...limits,
  }).catch((err: Error) => {
    throw new CliError(`cannot join NATS at ${url} as "${flags['nats-user'] ?? identity}": ${err.message}`);
  });
  if (await anonymousReachesKv(servers[0]!, prefix)) {
    if (!flags['insecure-bus']) {
      await bus.close();
      throw new CliError(`${insecureBus(url)}. Run nats-server with the users and permissions that \`kubeactor nats-config\` prints, or pass --insecure-bus to start anyway.`);
    }
    console.error(`warning: --insecure-bus: ${insecureBus(url)} (\`kubeactor nats-config\` prints a configuration that closes this).`);
  }
  return { bus, describe: `NATS ${url} (prefix ${prefix}, identity ${identity})`, identity };
}
