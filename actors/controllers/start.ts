/**
 * Starting the controller-manager's controllers on an ActorHost, chosen the way
 * kube-controller-manager's `--controllers` flag chooses: '*' is every controller enabled
 * by default, 'foo' enables foo, '-foo' disables foo (a disable wins over '*' and 'foo').
 */
import type { ActorHost } from '../host.ts';
import { informerFactory } from '../informers/actor.ts';
import { controllerActor, type ControllerHandle } from './actor.ts';
import { controllerAddress, type ControllerDefinition } from './framework.ts';
import { CONTROLLERS, findController } from './registry.ts';
import type { ClientLimits } from '../client/rate-limit.ts';

export interface StartControllersOptions {
  /** '*,-job' or ['*', '-job']; default '*'. */
  controllers?: string | readonly string[];
  /** Per-controller options by controller name (ControllerContext.options). */
  options?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Defaults to the registry table (specs pass their own). */
  table?: readonly ControllerDefinition[];
  /** Each controller's client limits (--kube-api-qps/--kube-api-burst; default 20 and 30). */
  clientLimits?: Partial<ClientLimits>;
  onHandle?: (h: ControllerHandle) => void;
}

export interface RunningControllers {
  /** The started controllers' names, in table order. */
  readonly names: readonly string[];
  readonly addresses: readonly string[];
  /** Stops every started controller actor. */
  stop(): void;
}

/** The names `selection` enables, in table order; throws on an unknown name. */
export function selectControllers(selection: string | readonly string[] = '*', table: readonly ControllerDefinition[] = CONTROLLERS): string[] {
  const items = (typeof selection === 'string' ? selection.split(',') : [...selection]).map((s) => s.trim()).filter(Boolean);
  const on = new Set<string>();
  const off = new Set<string>();
  let star = false;
  for (const item of items) {
    if (item === '*') {
      star = true;
      continue;
    }
    const disable = item.startsWith('-');
    const name = disable ? item.slice(1) : item;
    const def = findController(name, table);
    if (!def) throw new Error(`"${name}" is not in the list of known controllers`);
    (disable ? off : on).add(def.name);
  }
  return table.filter((d) => !off.has(d.name) && (on.has(d.name) || (star && d.enabledByDefault))).map((d) => d.name);
}

export function startControllers(host: ActorHost, opts: StartControllersOptions = {}): RunningControllers {
  const table = opts.table ?? CONTROLLERS;
  const names = selectControllers(opts.controllers ?? '*', table);
  const addresses: string[] = [];
  // One factory per process: every controller (and the scheduler) shares its informers.
  const factory = names.length > 0 ? informerFactory(host) : undefined;
  for (const name of names) {
    const def = findController(name, table)!;
    host.spawn(controllerActor(def, { factory: factory!, options: opts.options?.[name] ?? {}, ...(opts.clientLimits ? { clientLimits: opts.clientLimits } : {}), ...(opts.onHandle ? { onHandle: opts.onHandle } : {}) }));
    addresses.push(controllerAddress(name));
  }
  return {
    names,
    addresses,
    stop: () => {
      for (const a of addresses) host.stop(a);
    },
  };
}
