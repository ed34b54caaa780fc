/**
 * The real kubectl for end-to-end specs: one cluster's kubeconfig and a HOME of the spec's
 * own (kubectl writes its cache there), stdin fed, a failing command reported instead of thrown.
 */
import { execFile } from 'node:child_process';

export interface KubectlRun {
  out: string;
  err: string;
  code: number;
}

export interface Kubectl {
  /** kubectl's stdout, stderr and exit code (a failing command does not throw). */
  run(args: string[], stdin?: string): Promise<KubectlRun>;
  /** The trimmed stdout; a failing command throws with kubectl's stderr. */
  (...args: string[]): Promise<string>;
}

/** kubectl against `kubeconfig`, with `HOME` set to `home`; every request times out after 30 s. */
export function kubectlAt(kubeconfig: string, home: string): Kubectl {
  const env = { ...process.env, HOME: home };
  const run = (args: string[], stdin?: string): Promise<KubectlRun> =>
    new Promise((resolve) => {
      const child = execFile('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=30s', ...args], { env }, (err, out, errOut) =>
        resolve({ out, err: errOut, code: err ? (typeof err.code === 'number' ? err.code : 1) : 0 }));
      // kubectl may exit before it reads its stdin (a command that fails at once): the write then
      // fails with EPIPE, which its exit code and stderr above already report.
      child.stdin!.on('error', () => {});
      child.stdin!.end(stdin ?? '');
    });
  const must = async (...args: string[]): Promise<string> => {
    const r = await run(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.err}`);
    return r.out.trim();
  };
  return Object.assign(must, { run });
}
