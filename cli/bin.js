#!/usr/bin/env node
// The `kubeactor` command: loads the TypeScript sources through our esbuild hooks (no build step).
import './loader/register.mjs';

// `kubeactor replay … | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

await import('./main.ts');
