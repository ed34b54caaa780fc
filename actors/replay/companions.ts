import type { Positioned } from './merge.ts';
import type { ReplayRegistry } from './registry.ts';

/** What `companions` decides for a replay run. */
export interface Companions {
  /** The selection widened to whole groups (an actor and the actors it `needs`). */
  select(address: string): boolean;
  /** Why the actor at `address` cannot be verified for lack of an actor it needs; undefined when it can. */
  missing(address: string): string | undefined;
  /** The actors that need the one at `address` (whose code it runs: a factory calls its subscribers' handlers). */
  dependents(address: string): readonly string[];
}

/**
 * Actors that share in-process state (`ReplayableActor.needs`: a controller and the informer
 * factory whose handlers drive it) are replayed together: selecting one of a group selects
 * the group, since a controller's handler calls happen at the factory's deliveries and the
 * factory's lists are asked for by its subscribers.
 */
export function companions(entries: readonly Positioned[], registry: ReplayRegistry, base: (address: string) => boolean): Companions {
  const machineOf = new Map<string, string>();
  for (const e of entries) if (e.kind === 'start' && !machineOf.has(e.address)) machineOf.set(e.address, e.machine);
  const byMachine = new Map<string, string[]>();
  for (const [address, machine] of machineOf) byMachine.set(machine, [...(byMachine.get(machine) ?? []), address]);
  /** group name (the needed machine) → member addresses. */
  const groups = new Map<string, string[]>();
  const groupOf = new Map<string, string>();
  for (const [address, machine] of machineOf) {
    const needed = registry.get(machine)?.needs;
    if (needed === undefined) continue;
    for (const a of [address, ...(byMachine.get(needed) ?? [])]) {
      groupOf.set(a, needed);
      const members = groups.get(needed) ?? [];
      if (!members.includes(a)) members.push(a);
      groups.set(needed, members);
    }
  }
  const dependents = new Map<string, string[]>();
  for (const [address, machine] of machineOf) {
    const needed = registry.get(machine)?.needs;
    for (const a of needed === undefined ? [] : (byMachine.get(needed) ?? [])) dependents.set(a, [...(dependents.get(a) ?? []), address]);
  }
  const picked = new Set<string>();
  for (const [address] of machineOf) {
    if (!base(address)) continue;
    picked.add(address);
    const g = groupOf.get(address);
    for (const a of g === undefined ? [] : groups.get(g)!) picked.add(a);
  }
  return {
    dependents: (address) => dependents.get(address) ?? [],
    select: (address) => picked.has(address) || (!machineOf.has(address) && base(address)),
    missing(address) {
      const needed = registry.get(machineOf.get(address) ?? '')?.needs;
      if (needed === undefined || byMachine.has(needed)) return undefined;
      return `it reads the in-process state of a "${needed}" actor, which this recording does not have (recorded by an older build?)`;
    },
  };
}
