import type { PodStatus } from 'kubernetes-types/core/v1.js';
import { apiServerActor, type ApiServerActorOptions } from '../apiserver/actor.ts';
import type { ActorContext, ActorDef } from '../actor-def.ts';
import { controllerActor, type ControllerConfig } from '../controllers/actor.ts';
import { findController } from '../controllers/registry.ts';
import { INGRESS_CONTROLLER_NAME, replayIngressDefinition } from '../ingress/controller.ts';
import { kubeletActor, type KubeletConfig } from '../kubelet/actor.ts';
import { kubeProxyActor, type KubeProxyOptions } from '../kube-proxy/actor.ts';
import { podAddress, type PodActor, type PodActorOptions } from '../pod/index.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { informersActor, INFORMERS_ADDRESS } from '../informers/actor.ts';
import { SharedInformerFactory } from '../informers/factory.ts';
import { schedulerActor } from '../scheduler/actor.ts';
import { dnsActor, type DnsOptions } from '../dns/actor.ts';
import { metricsServerActor, type MetricsServerOptions } from '../metrics-server/index.ts';
import type { SchedulerOptions } from '../scheduler/options.ts';
import type { PodEventRecord, RuntimeBatch } from '../../machines/pod/index.ts';
import { containerAt } from '../pod/bridge.ts';
import type { ReplayableActor, ReplayBuild, ReplayEnv } from './registry.ts';

/**
 * A replayable entry for a component that is an ActorDef: the def is rebuilt from the
 * recorded config once per replayed actor (its context outlives restarts, as in the host,
 * so the def's own bookkeeping across incarnations works as it does live).
 */
export function fromDef(name: string, makeDef: (input: unknown, env: ReplayEnv) => ActorDef): ReplayableActor {
  const defs = new WeakMap<ActorContext, ActorDef>();
  return {
    name,
    build(ctx, input, env): ReplayBuild {
      let def = defs.get(ctx);
      if (def === undefined) defs.set(ctx, (def = makeDef(input, env)));
      const { machine, input: machineInput, bind } = def.create(ctx);
      return {
        machine,
        ...(machineInput === undefined ? {} : { input: machineInput }),
        ...(bind ? { bind } : {}),
        ...(def.toEvent ? { toEvent: def.toEvent } : {}),
        ...(def.onStart ? { onStart: def.onStart } : {}),
        ...(def.onStop ? { onStop: def.onStop } : {}),
      };
    },
  };
}

export const replayableApiServer = fromDef('apiserver', (input) => apiServerActor((input ?? {}) as ApiServerActorOptions));

/** The replay run's informer factory: the replayed `informers` actor drives it, and the replayed controllers and scheduler subscribe to it, as live. */
const factoryOf = (env: ReplayEnv): SharedInformerFactory => env.shared(INFORMERS_ADDRESS, () => new SharedInformerFactory());

export const replayableInformers: ReplayableActor = fromDef('informers', (_input, env) => informersActor(factoryOf(env), env.self));

export const replayableScheduler: ReplayableActor = {
  ...fromDef('scheduler', (input, env) => schedulerActor((input ?? {}) as SchedulerOptions, factoryOf(env), env.self)),
  needs: 'informers',
};

/** Cluster DNS: rebuilt without its sockets (the recorded `dns.listening` / `dns.listen-failed` arrive as events); it subscribes to the shared informers as live. */
export const replayableDns: ReplayableActor = {
  ...fromDef('dns', (input, env) => dnsActor(input as DnsOptions, factoryOf(env), env.self)),
  needs: 'informers',
};

/**
 * kube-proxy with its own informers, as live, and a proxier without sockets: the listeners
 * it opens are effects on this host, not outputs; what it decides (its rules) is in the
 * snapshot the replay compares.
 */
export const replayableKubeProxy = fromDef('kube-proxy', (input, env) =>
  kubeProxyActor(input as KubeProxyOptions, env.self, undefined, { healthz: false, proxier: () => ({ apply: () => undefined, listening: () => [], lastSync: 0, close: () => undefined }) }));

/** Every controller runs the reconcile chart; the recorded config names which controller. */
export const replayableController: ReplayableActor = {
  ...fromDef('reconcile', (input, env) => {
    const c = input as ControllerConfig;
    const def = findController(c.controller) ?? (c.controller === INGRESS_CONTROLLER_NAME ? replayIngressDefinition(c.options) : undefined);
    if (def === undefined) throw new Error(`no controller "${c.controller}" in this build`);
    return controllerActor(def, { factory: factoryOf(env), options: def.replayOptions ? def.replayOptions(c.options) : c.options, ...(c.clientLimits ? { clientLimits: c.clientLimits } : {}) });
  }),
  needs: 'informers',
};

/**
 * The kubelet, with its pods replayed as actors of their own: instead of running pod
 * charts, the rebuilt kubelet hears each pod's recorded outputs (`report`,
 * `emitTerminated`) and forwards them where a live pod's would go — the status manager,
 * Events, the final delete — so what the kubelet writes is verified against the log. The
 * runtime is only a name here: pods are the ones that talk to it.
 */
export const replayableKubelet: ReplayableActor = { ...fromDef('kubelet', (input, env) => {
  const config = input as KubeletConfig;
  // Runtimes are only names here; the handler set matters (a kubelet with a runtime that mounts files resolves Service links).
  // The sim is the one runtime without files; whether a runtime mounts them decides which kubelet work its pods ask for.
  // Usage is read outside the log: `kubelet.stats` is host-answered (below), so no runtime is asked for it here.
  const stub = (name: string) => ({ name, mountsVolumes: name !== 'sim' }) as unknown as Runtime;
  const runtime = stub(config.runtime);
  const handlers = Object.fromEntries((config.handlers ?? []).map((n) => [n, () => stub(n)]));
  const startPod = (o: PodActorOptions): PodActor => {
    const source = { component: 'kubelet' as const, host: o.nodeName };
    let live = true;
    env.onOutputOf(podAddress(o.pod.metadata?.uid ?? ''), (out) => {
      if (!live) return;
      if (out.action === 'report') {
        const p = out.data as { status: PodStatus | null; events: PodEventRecord[] };
        for (const e of p.events) o.output.onEvent(e, source);
        if (p.status) o.output.onStatus(p.status);
      } else if (out.action === 'emitTerminated') o.output.onTerminated();
      else if (out.action === 'runCommands' && o.hooks) {
        // The kubelet's own work a live pod's runtime bridge asked for (volumes before the sandbox, env and mounts before a container) is the kubelet's output.
        for (const cmd of (out.data as RuntimeBatch).cmds ?? []) {
          if (cmd.type === 'sandbox') void o.hooks.beforeSandbox();
          else if (cmd.type === 'create') void o.hooks.prepareContainer(containerAt(o.pod, cmd.i));
        }
      }
    });
    const address = podAddress(o.pod.metadata?.uid ?? '');
    return { actor: undefined as never, delete: () => env.handed(address, 'delete'), evict: () => env.handed(address, 'evict'), stop: () => void (live = false) };
  };
  return kubeletActor({ ...config, runtime, handlers }, undefined, startPod);
}), hostAnswered: ['kubelet.stats'] };

/** metrics-server: its inputs are the recorded scrapes' answers and its ticks, so its store and its answers to the apiserver replay exactly. */
export const replayableMetricsServer = fromDef('metrics-server', (input) => metricsServerActor((input ?? {}) as MetricsServerOptions));
