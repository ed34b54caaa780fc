// One bench run as a child process: the TypeScript loader of this tree (it compiles whatever .ts
// it is given, so a compared ref's tree runs with it too) and V8's heap sizes for a cluster of
// bench size. A signal to this process (`timeout npm run bench …`, Ctrl-C) reaches the child,
// so a bench never outlives the command that started it.
import { spawn } from 'node:child_process';
import { heapFlags } from './heap-flags.mjs';

const LOADER = new URL('../cli/loader/register.mjs', import.meta.url).href;
const running = new Set();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, () => {
    for (const child of running) child.kill(sig);
    if (running.size === 0) process.exit(1);
  });
}

/** Starts bench/<name>.ts in tree `root`. */
export function spawnBench(root, name, args, stdio) {
  const child = spawn(process.execPath, [...heapFlags(), '--import', LOADER, `bench/${name}.ts`, ...args], { cwd: root, stdio });
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}
