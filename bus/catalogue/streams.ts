import { Type, type Static } from '@sinclair/typebox';
import { message, request } from './define.ts';

/**
 * Streams into a pod (`kubectl exec`, `attach`, `cp`, `port-forward`), carried between the
 * HTTP front and the kubelet that owns the pod (`kubelet.<nodeName>`), as kube-apiserver
 * proxies these subresources to the kubelet. They work over NATS as in-process.
 *
 * A session: the asker sends `kubelet.stream-open` with an `id` it chose and the bytes of
 * output it accepts before it grants more (`window`); the kubelet replies with the bytes of
 * stdin it accepts (`window`) or an error Status (no such pod, container not running, the
 * runtime refuses). Then, both ways by `id`:
 * - `kubelet.stream-data`: bytes on a channel — to the kubelet stdin (0), to the asker
 *   stdout (1) and stderr (2) — numbered as the remotecommand protocol numbers them;
 * - `kubelet.stream-credit`: the receiver consumed `bytes` (written them on to its client
 *   or into the process): the sender may send that many more. A sender never has more than
 *   its window unacknowledged, so a reader that does not read stops the writer, and the
 *   memory between them stays bounded by the window;
 * - to the kubelet: `kubelet.stream-close` (the client closed stdin), `kubelet.stream-resize`
 *   (terminal size), `kubelet.stream-cancel` (the client went away: the kubelet drops the
 *   session and stops what it runs for it);
 * - to the asker: `kubelet.stream-end`, once, with the outcome as a Status (Success, or
 *   Failure with reason NonZeroExitCode and the exit code as an `ExitCode` cause), after the
 *   last data.
 */
export const StreamOpen = Type.Object({
  /** Chosen by the asker; names the session in every later message. */
  id: Type.String(),
  kind: Type.Union([Type.Literal('exec'), Type.Literal('attach'), Type.Literal('portforward')]),
  namespace: Type.String(),
  pod: Type.String(),
  /** Pod uid the asker saw, so a recreated pod of the same name is not mistaken for it. */
  uid: Type.Optional(Type.String()),
  container: Type.String(),
  command: Type.Optional(Type.Array(Type.String())),
  /**
   * port-forward: the pod port of this one forwarded connection (its bytes are channel 0 in,
   * 1 out). Without it the open only asks whether the runtime forwards into the pod at all.
   */
  port: Type.Optional(Type.Number()),
  stdin: Type.Boolean(),
  stdout: Type.Boolean(),
  stderr: Type.Boolean(),
  tty: Type.Boolean(),
  /** Output bytes the asker accepts before it grants more. */
  window: Type.Number(),
});
export type StreamOpen = Static<typeof StreamOpen>;

export const StreamData = Type.Object({ id: Type.String(), channel: Type.Number(), data: Type.Uint8Array() });
export type StreamData = Static<typeof StreamData>;

/** The remotecommand channel numbers (k8s.io/apimachinery/pkg/util/remotecommand). */
export const STREAM_CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 } as const;

/** Bytes of unacknowledged data each side allows by default. */
export const DEFAULT_STREAM_WINDOW = 256 * 1024;

export const streamMessages = {
  'kubelet.stream-open': request(StreamOpen, Type.Object({ id: Type.String(), window: Type.Number() })),
  'kubelet.stream-data': message(StreamData),
  'kubelet.stream-credit': message(Type.Object({ id: Type.String(), bytes: Type.Number() })),
  'kubelet.stream-close': message(Type.Object({ id: Type.String(), channel: Type.Number() })),
  'kubelet.stream-resize': message(Type.Object({ id: Type.String(), width: Type.Number(), height: Type.Number() })),
  'kubelet.stream-cancel': message(Type.Object({ id: Type.String() })),
  /** `status` is a metav1.Status, as the remotecommand error channel carries it. */
  'kubelet.stream-end': message(Type.Object({ id: Type.String(), status: Type.Unknown() })),
};
