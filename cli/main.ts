import { CliError, UsageError } from './args.ts';
import { MAIN_HELP } from './help.ts';
import { up, UP_HELP } from './up.ts';
import { node, NODE_HELP } from './node.ts';
import { replay, REPLAY_HELP } from './replay.ts';
import { simulateCommand, SIMULATE_HELP } from './simulate.ts';
import { natsConfig, NATS_CONFIG_HELP } from './nats-config.ts';
import { explainSchedule, EXPLAIN_SCHEDULE_HELP } from './explain-schedule.ts';
import { kubeconfig, KUBECONFIG_HELP } from './kubeconfig.ts';
import { kubeconfigs, KUBECONFIGS_HELP } from './kubeconfigs.ts';

/** The commands of `kubeactor`; each gets the arguments after its name. */
const commands: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  up: { run: up, help: UP_HELP },
  node: { run: node, help: NODE_HELP },
  replay: { run: (argv) => replay(argv), help: REPLAY_HELP },
  simulate: { run: (argv) => simulateCommand(argv), help: SIMULATE_HELP },
  'nats-config': { run: natsConfig, help: NATS_CONFIG_HELP },
  'explain-schedule': { run: explainSchedule, help: EXPLAIN_SCHEDULE_HELP },
  kubeconfig: { run: kubeconfig, help: KUBECONFIG_HELP },
  kubeconfigs: { run: kubeconfigs, help: KUBECONFIGS_HELP },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const which = name === 'help' ? rest[0] : undefined;
    console.log(which && commands[which] ? commands[which].help : MAIN_HELP);
    return 0;
  }
  if (name === '--version' || name === 'version') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    console.log(`kubeactor ${pkg.version}`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`kubeactor: unknown command "${name}"\n\n${MAIN_HELP}`);
    return 2;
  }
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
