import { totalmem } from 'node:os';

/**
 * The V8 heap flags every bench process runs with: `kubeactor`'s 64 MB young generation and
 * its old generation paced to double between full collections (cli/bin.js says why), and an
 * old generation of three quarters of the machine's memory instead of V8's default of about
 * 4 GB, which holds some 55,000 pods — and a heap near its limit collects back to back until
 * requests time out.
 */
export const heapFlags = () => ['--max-semi-space-size=64', '--heap-growing-percent=100', `--max-old-space-size=${Math.floor((totalmem() * 0.75) / 2 ** 20)}`];
