import type { Port, RequestOptions } from '../../bus/bus.ts';
import type { PayloadOf, RequestType } from '../../bus/catalogue/index.ts';
import { fail, unavailable } from '../../base/status.ts';

/** A port that can be shut for one incarnation's work while the actor's own port lives on. */
export interface PortGate {
  readonly port: Port;
  /** From now on nothing is sent: a request is answered 503 at once, anything else is dropped. */
  shut(): void;
}

/**
 * `port` behind a gate the kubelet shuts when an incarnation has stopped (its pods and
 * informers stopped, their watches ended, or a restart replaced it). A stopped kubelet writes nothing — its node is off — but its
 * continuations still run: a status write that waited for the client's token bucket, or the
 * retry of one the stop failed, would otherwise reach the apiserver from a node that is down
 * (found by `kubeactor simulate --faults kubelet-silent,kv-slow`: a pod status patch after the
 * kubelet's stop, which a replay, whose stopped kubelet hears no more timers, never made).
 */
export function portGate(port: Port): PortGate {
  let open = true;
  const gated: Port = {
    get address() {
      return port.address;
    },
    send: (to, type, payload) => void (open && port.send(to, type, payload)),
    request: <T extends RequestType>(to: string, type: T, payload: PayloadOf<T>, opts?: RequestOptions) =>
      open ? port.request(to, type, payload, opts) : Promise.resolve(fail(unavailable(`the kubelet at ${port.address} has stopped`))),
    reply: (req, result) => void (open && port.reply(req, result)),
    publish: (topic, type, payload) => void (open && port.publish(topic, type, payload)),
    subscribe: (topic) => port.subscribe(topic),
    close: () => port.close(),
  };
  return {
    port: gated,
    shut: () => void (open = false),
  };
}
