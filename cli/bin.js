#!/usr/bin/env node
// The `kubeactor` command: loads the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

// `kubeactor replay … | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

register();
await import('./main.ts');
