import { MemoryKv } from '../../../actors/kv/memory.ts';
import { kvContract } from './contract.ts';

kvContract('memory', () => ({
  open: async (opts) => new MemoryKv(opts),
  cleanup: async () => {},
}));
