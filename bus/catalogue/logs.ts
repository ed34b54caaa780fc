import { Type, type Static } from '@sinclair/typebox';
import { message, request } from './define.ts';

/**
 * Container logs, which live on the node: the HTTP front asks the pod's kubelet
 * (`kubelet.<nodeName>`) for them, as kube-apiserver proxies `pods/log` to the kubelet.
 *
 * Without `follow` the reply carries the whole (tailed, limited) text. With `follow` the
 * reply carries what exists so far and the kubelet then sends `kubelet.log-chunk` messages
 * with the same `id` to the asker's address until a `kubelet.log-end`; the asker sends
 * `kubelet.logs-stop` when its client goes away.
 */
export const LogRequest = Type.Object({
  /** Chosen by the asker; names the stream in chunks, end and stop. */
  id: Type.String(),
  namespace: Type.String(),
  pod: Type.String(),
  /** Pod uid the asker saw, so a recreated pod of the same name is not mistaken for it. */
  uid: Type.Optional(Type.String()),
  container: Type.String(),
  follow: Type.Optional(Type.Boolean()),
  previous: Type.Optional(Type.Boolean()),
  timestamps: Type.Optional(Type.Boolean()),
  tailLines: Type.Optional(Type.Number()),
  sinceSeconds: Type.Optional(Type.Number()),
  sinceTime: Type.Optional(Type.String()),
  limitBytes: Type.Optional(Type.Number()),
});
export type LogRequest = Static<typeof LogRequest>;

export const logMessages = {
  'kubelet.logs': request(LogRequest, Type.Object({ id: Type.String(), text: Type.String() })),
  'kubelet.log-chunk': message(Type.Object({ id: Type.String(), text: Type.String() })),
  /** The stream is over (container ended, pod deleted); `status` is set when it ended in error. */
  'kubelet.log-end': message(Type.Object({ id: Type.String(), status: Type.Optional(Type.Unknown()) })),
  'kubelet.logs-stop': message(Type.Object({ id: Type.String() })),
};
