/**
 * The kubelet's side of exec, attach and port-forward (bus/catalogue/streams.ts): answers
 * `kubelet.stream-open` for the node's pods, runs the session on the runtime with Node
 * streams backed by the bus (stream-session.ts), and sends `kubelet.stream-end` with the
 * outcome as the remotecommand error channel's Status. A session ends when the runtime call
 * returns, when the asker cancels it, or when the kubelet stops.
 */
import { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Port } from '../../bus/bus.ts';
import type { Envelope } from '../../base/envelope.ts';
import { DEFAULT_STREAM_WINDOW, STREAM_CHANNEL, type StreamOpen } from '../../bus/catalogue/streams.ts';
import { badRequest, fail, notFound, ok, status, type Result } from '../../base/status.ts';
import type { Logger } from '../actor-def.ts';
import type { Runtime, StreamIO } from '../runtime/runtime.ts';
import { StreamSession } from './stream-session.ts';

/** The stream messages are not typed on Port's send; this is the slice of Port they need. */
interface StreamPort {
  reply(req: Envelope, result: Result<{ id: string; window: number }>): void;
  send(to: string, type: 'kubelet.stream-data', payload: { id: string; channel: number; data: Uint8Array }): void;
  send(to: string, type: 'kubelet.stream-credit', payload: { id: string; bytes: number }): void;
  send(to: string, type: 'kubelet.stream-end', payload: { id: string; status: unknown }): void;
}

export interface StreamServerOptions {
  port: Port;
  log: Logger;
  /** The runtime a pod of this node runs on (undefined before it started here). */
  runtimeOf(pod: Pod): Runtime | undefined;
  /** The node's pod of that name (and uid, when the asker gave one). */
  find(namespace: string, name: string, uid?: string): Pod | undefined;
}

/** remotecommand's success Status on the error channel. */
const SUCCESS = { metadata: {}, status: 'Success' };

/**
 * The Status kubelet writes for a command that exited non-zero: reason NonZeroExitCode
 * and an ExitCode cause, from which kubectl prints "command terminated with exit code N".
 */
export function exitStatus(command: readonly string[], exitCode: number): unknown {
  if (exitCode === 0) return SUCCESS;
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

export class StreamServer {
  readonly #sessions = new Map<string, StreamSession>();
  readonly #port: StreamPort;

  constructor(private readonly o: StreamServerOptions) {
    this.#port = o.port as unknown as StreamPort;
  }

  handle(env: Envelope): void {
    const p = env.payload as { id: string; channel?: number; data?: Uint8Array; bytes?: number; width?: number; height?: number };
    if (env.type === 'kubelet.stream-open') return void this.#open(env, env.payload as StreamOpen);
    const s = this.#sessions.get(p.id);
    if (!s) return;
    switch (env.type) {
      case 'kubelet.stream-data':
        if (p.channel === STREAM_CHANNEL.stdin && p.data) s.input(p.data);
        return;
      case 'kubelet.stream-credit':
        return s.grant(p.bytes ?? 0);
      case 'kubelet.stream-close':
        if (p.channel === STREAM_CHANNEL.stdin) s.closeInput();
        return;
      case 'kubelet.stream-resize':
        return s.resize({ width: p.width ?? 0, height: p.height ?? 0 });
      case 'kubelet.stream-cancel':
        this.#sessions.delete(p.id);
        return s.cancel();
    }
  }

  /** Ends every session (the kubelet stops). */
  stop(): void {
    for (const [id, s] of this.#sessions) {
      this.#sessions.delete(id);
      s.cancel();
    }
  }

  get size(): number {
    return this.#sessions.size;
  }

  async #open(env: Envelope, req: StreamOpen): Promise<void> {
    const checked = this.#check(req);
    if (!checked.ok) return this.#port.reply(env, checked);
    const { uid: podUid, runtime } = checked.value;
    if (req.kind === 'portforward' && req.port === undefined) {
      const pf = await runtime.portForward(podUid);
      return this.#port.reply(env, pf.ok ? ok({ id: req.id, window: DEFAULT_STREAM_WINDOW }) : pf);
    }
    if (this.#sessions.has(req.id)) return this.#port.reply(env, fail(badRequest(`stream session "${req.id}" is already open`)));
    const to = env.from;
    const session = new StreamSession(
      {
        data: (channel, data) => this.#port.send(to, 'kubelet.stream-data', { id: req.id, channel, data }),
        credit: (bytes) => this.#port.send(to, 'kubelet.stream-credit', { id: req.id, bytes }),
      },
      req.window,
      req.kind === 'portforward' ? { stdin: true, stdout: true, stderr: false, tty: false } : req,
    );
    this.#sessions.set(req.id, session);
    this.#port.reply(env, ok({ id: req.id, window: DEFAULT_STREAM_WINDOW }));
    const io: StreamIO = { tty: req.tty, onResize: session.onResize };
    if (session.stdin) io.stdin = session.stdin;
    if (session.stdout) io.stdout = session.stdout;
    if (session.stderr) io.stderr = session.stderr;
    const target = { podUid, container: req.container };
    let outcome: unknown;
    try {
      if (req.kind === 'portforward') {
        outcome = await this.#forward(req, podUid, runtime, session);
      } else if (req.kind === 'exec') {
        const r = await runtime.exec(target, req.command ?? [], io);
        outcome = r.ok ? exitStatus(req.command ?? [], r.value.exitCode) : r.status;
      } else {
        const r = await runtime.attach(target, io);
        outcome = r.ok ? SUCCESS : r.status;
      }
      await session.flushed();
    } catch (err) {
      this.o.log.warn('stream session failed', { id: req.id, error: err });
      outcome = status(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (this.#sessions.get(req.id) !== session) return;
    this.#sessions.delete(req.id);
    session.cancel();
    this.#port.send(to, 'kubelet.stream-end', { id: req.id, status: outcome });
  }

  /** One forwarded connection; a failure reads as kubelet words it on the port-forward error stream. */
  async #forward(req: StreamOpen, podUid: string, runtime: Runtime, session: StreamSession): Promise<unknown> {
    const port = req.port ?? 0;
    const pf = await runtime.portForward(podUid);
    const r = pf.ok ? await pf.value.forward(port, Duplex.from({ readable: session.stdin, writable: session.stdout })) : pf;
    if (r.ok) return SUCCESS;
    return { ...r.status, message: `error forwarding port ${port} to pod ${req.pod}, uid ${podUid}: ${r.status.message}` };
  }

  /** The pod's uid and runtime, or the Status kubelet answers before any stream opens. */
  #check(req: StreamOpen): Result<{ uid: string; runtime: Runtime }> {
    const pod = this.o.find(req.namespace, req.pod, req.uid);
    const uid = pod?.metadata?.uid;
    if (!pod || !uid) return fail(notFound('pods', req.pod));
    if (req.kind !== 'portforward') {
      const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
      if (!names.includes(req.container)) return fail(badRequest(`container ${req.container} is not valid for pod ${req.pod}`));
    }
    const runtime = this.o.runtimeOf(pod);
    if (!runtime) return fail(badRequest(`pod ${req.pod} is waiting to start: ContainerCreating`));
    return ok({ uid, runtime });
  }
}

