import type { Positioned } from './merge.ts';
import type { ReplayRegistry } from './registry.ts';

/** What `companions` finds in a recording. */
export interface Companions {
  /** Why the actor at `address` cannot be verified for lack of an actor it needs; undefined when it can. */
  missing(address: string): string | undefined;
  /** The actors that need the one at `address` (whose code it runs: a factory calls its subscribers' handlers). */
  dependents(address: string): readonly string[];
}

/**
 * Actors that share in-process state (`ReplayableActor.needs`: a controller and the informer
 * factory whose handlers drive it): a controller's handler calls happen at the factory's
 * deliveries, so its clock moves with them, and it cannot be verified without the factory.
 */
export function companions(entries: readonly Positioned[], registry: ReplayRegistry): Companions {
  const machineOf = new Map<string, string>();
  for (const e of entries) if (e.kind === 'start' && !machineOf.has(e.address)) machineOf.set(e.address, e.machine);
  const byMachine = new Map<string, string[]>();
  for (const [address, machine] of machineOf) byMachine.set(machine, [...(byMachine.get(machine) ?? []), address]);
  const dependents = new Map<string, string[]>();
  for (const [address, machine] of machineOf) {
    const needed = registry.get(machine)?.needs;
    for (const a of needed === undefined ? [] : (byMachine.get(needed) ?? [])) dependents.set(a, [...(dependents.get(a) ?? []), address]);
  }
  return {
    dependents: (address) => dependents.get(address) ?? [],
    missing(address) {
      const needed = registry.get(machineOf.get(address) ?? '')?.needs;
      if (needed === undefined || byMachine.has(needed)) return undefined;
      return `it reads the in-process state of a "${needed}" actor, which this recording does not have (recorded by an older build?)`;
    },
  };
}
