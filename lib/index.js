// The package's entry for test suites: `import { startCluster } from 'kubeactor'`.
// The sources are TypeScript run through our esbuild hooks (no build step), so the hooks are
// registered before the library is loaded; a process that already runs them keeps one copy.
import '../cli/loader/register.mjs';

const library = await import('./cluster.ts');

/** @type {typeof import('./index.d.ts').startCluster} */
export const startCluster = library.startCluster;
