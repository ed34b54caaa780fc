/**
 * The kubelet's side of `pods/log` (bus/catalogue/logs.ts): answers `kubelet.logs` for
 * the node's pods from the runtime. Without follow the reply is the whole text. With
 * follow the reply carries the lines so far, then each new line goes to the asker as a
 * `kubelet.log-chunk` until the container ends (`kubelet.log-end`) or the asker sends
 * `kubelet.logs-stop`.
 *
 * Options as kubelet applies them: sinceSeconds / sinceTime first, then tailLines, then
 * limitBytes (which cuts the text, not the line count). Lines end with "\n".
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Port } from '../../bus/bus.ts';
import type { Envelope } from '../../base/envelope.ts';
import type { LogRequest } from '../../bus/catalogue/logs.ts';
import { isMessage } from '../../bus/catalogue/index.ts';
import { badRequest, notFound, ok, fail } from '../../base/status.ts';
import type { Clock } from '../../base/clock.ts';
import type { Logger } from '../actor-def.ts';
import type { LogFollow, Runtime } from '../runtime/runtime.ts';

/** The logs messages are not in the catalogue index yet; this is the slice of Port they need. */
export interface LogServerOptions {
  port: Port;
  clock: Clock;
  log: Logger;
  /** The runtime that runs `pod` (its RuntimeClass's handler). */
  runtimeOf(pod: Pod): Runtime | undefined;
  /** The node's pod of that name (and uid, when the asker gave one). */
  find(namespace: string, name: string, uid?: string): Pod | undefined;
}

/** RFC 3339 with nanoseconds, as the sim runtime and CRI logs stamp lines. */
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) /;

export class LogServer {
  readonly #streams = new Map<string, LogFollow>();
  readonly #port: Port;

  constructor(private readonly o: LogServerOptions) {
    this.#port = o.port;
  }

  handle(env: Envelope): void {
    if (isMessage(env, 'kubelet.logs-stop')) {
      const id = env.payload.id;
      this.#streams.get(id)?.close();
      this.#streams.delete(id);
      return;
    }
    if (isMessage(env, 'kubelet.logs')) void this.#answer(env, env.payload);
  }

  /** Ends every open stream (the kubelet stops). */
  stop(): void {
    for (const [id, f] of this.#streams) {
      f.close();
      this.#streams.delete(id);
    }
  }

  async #answer(env: Envelope, req: LogRequest): Promise<void> {
    const pod = this.o.find(req.namespace, req.pod, req.uid);
    if (!pod?.metadata?.uid) return this.#port.reply(env, fail(notFound('pods', req.pod)));
    const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
    if (!names.includes(req.container)) return this.#port.reply(env, fail(badRequest(`container ${req.container} is not valid for pod ${req.pod}`)));
    const target = { podUid: pod.metadata.uid, container: req.container };
    const runtime = this.o.runtimeOf(pod);
    if (!runtime) return this.#port.reply(env, fail(badRequest(`container "${req.container}" in pod "${req.pod}" is waiting to start: ContainerCreating`)));
    const since = sinceMs(req, this.o.clock.now());
    // Stamps are always asked for: sinceSeconds needs them; they are cut off again unless wanted.
    const got = await runtime.logs(target, { timestamps: true, ...(req.previous ? { previous: true } : {}) });
    if (!got.ok) return this.#port.reply(env, got);
    let lines = since === null ? got.value : got.value.filter((l) => stampOf(l) >= since);
    if (req.tailLines !== undefined) lines = req.tailLines <= 0 ? [] : lines.slice(-req.tailLines);
    const text = limit(lines.map((l) => render(l, req.timestamps)).join(''), req.limitBytes);
    if (!req.follow || req.previous) return this.#port.reply(env, ok({ id: req.id, text }));

    const follow = runtime.followLogs(target, { timestamps: true });
    if (!follow.ok) return this.#port.reply(env, follow);
    this.#port.reply(env, ok({ id: req.id, text }));
    this.#streams.set(req.id, follow.value);
    void this.#pump(req, env.from, follow.value, got.value.length);
  }

  /** Streams what the follow yields past the `skip` lines the reply already covered. */
  async #pump(req: LogRequest, to: string, follow: LogFollow, skip: number): Promise<void> {
    let seen = 0;
    try {
      for await (const line of follow) {
        if (seen++ < skip) continue;
        if (!this.#streams.has(req.id)) return;
        this.#port.send(to, 'kubelet.log-chunk', { id: req.id, text: render(line, req.timestamps) });
      }
    } catch (err) {
      this.o.log.warn('log stream failed', { id: req.id, error: err });
    }
    if (this.#streams.delete(req.id)) this.#port.send(to, 'kubelet.log-end', { id: req.id });
  }
}

function sinceMs(req: LogRequest, now: number): number | null {
  if (req.sinceSeconds !== undefined) return now - req.sinceSeconds * 1000;
  if (req.sinceTime) {
    const t = Date.parse(req.sinceTime);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

const stampOf = (line: string): number => {
  const m = STAMP.exec(line);
  return m ? Date.parse(m[1]!) : Number.NEGATIVE_INFINITY;
};

const render = (line: string, timestamps: boolean | undefined): string => `${timestamps ? line : line.replace(STAMP, '')}\n`;

/** limitBytes counts UTF-8 bytes. */
function limit(text: string, bytes: number | undefined): string {
  if (bytes === undefined || bytes <= 0) return text;
  const buf = Buffer.from(text, 'utf8');
  return buf.length <= bytes ? text : buf.subarray(0, bytes).toString('utf8');
}
