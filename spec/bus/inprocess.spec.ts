import { InProcessBus } from '../../bus/inprocess.ts';
import { busContract } from './contract.ts';

// In-process, both "sides" are the same bus: the contract still exercises one bus for two processes' worth of actors.
busContract('in-process', async () => {
  const bus = new InProcessBus();
  return {
    a: bus,
    b: bus,
    sync: () => new Promise((r) => setImmediate(r)),
    close: () => bus.close(),
  };
}).run();
