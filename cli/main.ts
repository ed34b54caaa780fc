import { CliError, UsageError } from './args.ts';
import { MAIN_HELP } from './help.ts';

interface Command {
  run: (argv: string[]) => Promise<number>;
  help: string;
}

/**
 * The commands of `kubeactor`; each gets the arguments after its name. Loaded when named:
 * a command's module brings in most of the control plane (about 900 modules), which
 * `kubeactor --help`, `--version` or a mistyped command should not wait for.
 */
const commands: Record<string, () => Promise<Command>> = {
  up: async () => {
    const m = await import('./up.ts');
    return { run: m.up, help: m.UP_HELP };
  },
  node: async () => {
    const m = await import('./node.ts');
    return { run: m.node, help: m.NODE_HELP };
  },
  replay: async () => {
    const m = await import('./replay.ts');
    return { run: (argv) => m.replay(argv), help: m.REPLAY_HELP };
  },
  simulate: async () => {
    const m = await import('./simulate.ts');
    return { run: (argv) => m.simulateCommand(argv), help: m.SIMULATE_HELP };
  },
  'nats-config': async () => {
    const m = await import('./nats-config.ts');
    return { run: m.natsConfig, help: m.NATS_CONFIG_HELP };
  },
  'explain-schedule': async () => {
    const m = await import('./explain-schedule.ts');
    return { run: m.explainSchedule, help: m.EXPLAIN_SCHEDULE_HELP };
  },
  kubeconfig: async () => {
    const m = await import('./kubeconfig.ts');
    return { run: m.kubeconfig, help: m.KUBECONFIG_HELP };
  },
  kubeconfigs: async () => {
    const m = await import('./kubeconfigs.ts');
    return { run: m.kubeconfigs, help: m.KUBECONFIGS_HELP };
  },
};

/** The loader of the command `name`; undefined for no command (nor `constructor` and the like). */
const commandNamed = (name: string | undefined): (() => Promise<Command>) | undefined =>
  name !== undefined && Object.hasOwn(commands, name) ? commands[name] : undefined;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const which = name === 'help' ? rest[0] : undefined;
    const load = commandNamed(which);
    console.log(load ? (await load()).help : MAIN_HELP);
    return 0;
  }
  if (name === '--version' || name === 'version') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    console.log(`kubeactor ${pkg.version}`);
    return 0;
  }
  const load = commandNamed(name);
  if (!load) {
    console.error(`kubeactor: unknown command "${name}"\n\n${MAIN_HELP}`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`kubeactor ${name}: ${err.message}\n\n${command.help}`);
      return 2;
    }
    if (err instanceof CliError || (err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`kubeactor ${name}: ${(err as Error).message}`);
      return 1;
    }
    throw err;
  }
}

/** Resolves once everything written to `stream` so far has been handed to the OS (an empty write's callback runs after the writes before it). */
const drained = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => void stream.write('', () => resolve()));

// Exit explicitly: a command that failed half-way may leave listeners (signals, sockets) that would keep the process up.
// First let stdout and stderr drain: on a pipe their writes are asynchronous, and process.exit would cut a long output
// (`kubeactor replay … --json | wc -l`).
const code = await main(process.argv.slice(2));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
