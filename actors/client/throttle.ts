/**
 * One component's client-side flow control: its token bucket (rate-limit.ts) and the retry of
 * answers the apiserver asked to be retried (backoff.ts). `throttledPort` puts it in front of
 * a port, so everything the component sends the apiserver through that port — the typed
 * ApiClient, its informers' lists, its Event writes — shares the one bucket, as a client-go
 * clientset's requests share its rest.Config's limiter. Watches are not throttled, as
 * client-go's `Request.Watch` ("We specifically don't want to rate limit watches").
 */
import type { Port, RequestOptions } from '../../bus/bus.ts';
import type { PayloadOf, RequestType } from '../../bus/catalogue/index.ts';
import { APISERVER_ADDRESS } from '../../bus/permissions.ts';
import type { Clock } from '../../base/clock.ts';
import type { Result } from '../../base/status.ts';
import type { ActorContext, Logger } from '../actor-def.ts';
import { retryDelayMs } from './backoff.ts';
import { TokenBucket, type ClientLimits } from './rate-limit.ts';

/** The apiserver requests a token is taken for: every verb but watch (and ending one). */
const THROTTLED = new Set<string>(['api.get', 'api.list', 'api.create', 'api.update', 'api.patch', 'api.delete', 'api.deletecollection']);

/** client-go logs a request that waited longer than this (extraLongThrottleLatency). */
export const LONG_THROTTLE_MS = 1000;
/** At most one such log line per component this often; the others are counted into it. */
const LOG_EVERY_MS = 10_000;

/** What a component's client-side flow control did (every throttle in the process adds to `processClientStats`). */
export interface ClientStats {
  /** Requests that waited for a token. */
  throttled: number;
  /** Their total wait, in seconds (rest_client_rate_limiter_duration_seconds' sum). */
  throttledSeconds: number;
  /** Requests sent again after a 429 or a 5xx with Retry-After. */
  retries: number;
}

const emptyStats = (): ClientStats => ({ throttled: 0, throttledSeconds: 0, retries: 0 });
const processStats = emptyStats();

/** The sum over every component client in this process (a bench prints it). */
export function processClientStats(): Readonly<ClientStats> {
  return { ...processStats, throttledSeconds: Math.round(processStats.throttledSeconds * 1000) / 1000 };
}

export interface ClientThrottleOptions {
  /** The component (kubelet, scheduler, controller.<name>, …), for log lines. */
  component: string;
  limits: ClientLimits;
  clock: Clock;
  /** The actor's seeded [0, 1) source, for the back-off's jitter. */
  random: () => number;
  log?: Logger;
}

export class ClientThrottle {
  readonly bucket: TokenBucket;
  readonly stats = emptyStats();
  #lastLog = Number.NEGATIVE_INFINITY;
  #unlogged = 0;

  constructor(private readonly o: ClientThrottleOptions) {
    this.bucket = new TokenBucket(o.limits, o.clock);
  }

  /**
   * Sends when the bucket gives a token (at once, in the same turn, when one is there) and
   * retries as backoff.ts says, taking a token for each retry; answers the last reply.
   */
  send<R>(what: string, send: () => Promise<Result<R>>, retries = 0): Promise<Result<R>> {
    const wait = this.bucket.reserve();
    const sent = wait <= 0 ? send() : this.#after(wait, what, send);
    return this.#retrying(what, send, sent, retries);
  }

  /**
   * Only the bucket: the reply is answered as it came, with no promise hop after it when the
   * request did not wait (for callers whose continuations must run exactly as without a
   * client in between: the kubelet's status writes, which retry with the next report).
   */
  sendOnce<R>(what: string, send: () => Promise<Result<R>>): Promise<Result<R>> {
    const wait = this.bucket.reserve();
    return wait <= 0 ? send() : this.#after(wait, what, send);
  }

  #retrying<R>(what: string, send: () => Promise<Result<R>>, sent: Promise<Result<R>>, retries: number): Promise<Result<R>> {
    return sent.then((r) => {
      const delay = retryDelayMs(r, retries, this.o.random);
      if (delay === undefined) return r;
      this.stats.retries++;
      processStats.retries++;
      return this.#sleep(delay).then(() => this.send(what, send, retries + 1));
    });
  }

  #after<R>(wait: number, what: string, send: () => Promise<Result<R>>): Promise<Result<R>> {
    this.stats.throttled++;
    this.stats.throttledSeconds += wait / 1000;
    processStats.throttled++;
    processStats.throttledSeconds += wait / 1000;
    if (wait > LONG_THROTTLE_MS) this.#logWait(wait, what);
    return this.#sleep(wait).then(send);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.o.clock.setTimeout(resolve, ms));
  }

  #logWait(wait: number, what: string): void {
    const now = this.o.clock.now();
    if (now - this.#lastLog < LOG_EVERY_MS) {
      this.#unlogged++;
      return;
    }
    const more = this.#unlogged > 0 ? ` (and ${this.#unlogged} more since the last such message)` : '';
    this.#lastLog = now;
    this.#unlogged = 0;
    this.o.log?.info(`Waited for ${(wait / 1000).toFixed(3)}s due to client-side throttling, not priority and fairness, request: ${what}${more}`, {
      component: this.o.component,
      qps: this.o.limits.qps,
      burst: this.o.limits.burst,
    });
  }
}

/** What a request to the apiserver names in a log line: `api.create pods`. */
function describe(type: string, payload: unknown): string {
  const target = (payload as { target?: { resource?: string; namespace?: string; name?: string } } | undefined)?.target;
  if (!target?.resource) return type;
  const where = [target.namespace, target.name].filter(Boolean).join('/');
  return `${type} ${target.resource}${where ? ` ${where}` : ''}`;
}

/**
 * `port` with `throttle` in front of its apiserver requests (watches excepted); everything
 * else passes through unchanged.
 */
export function throttledPort(port: Port, throttle: ClientThrottle, o: { retry?: boolean } = {}): Port {
  const retry = o.retry !== false;
  const request = <T extends RequestType>(to: string, type: T, payload: PayloadOf<T>, opts?: RequestOptions) => {
    if (to !== APISERVER_ADDRESS || !THROTTLED.has(type)) return port.request(to, type, payload, opts);
    const send = () => port.request(to, type, payload, opts);
    return retry ? throttle.send(describe(type, payload), send) : throttle.sendOnce(describe(type, payload), send);
  };
  return {
    get address() {
      return port.address;
    },
    send: (to, type, payload) => port.send(to, type, payload),
    request: request as Port['request'],
    reply: (req, result) => port.reply(req, result),
    publish: (topic, type, payload) => port.publish(topic, type, payload),
    subscribe: (topic) => port.subscribe(topic),
    close: () => port.close(),
  };
}

/** An actor's port behind a throttle of its own with `limits` (its bucket, its seeded jitter, its log). */
export function clientPort(ctx: Pick<ActorContext, 'address' | 'port' | 'clock' | 'random' | 'log'>, limits: ClientLimits): Port {
  return throttledPort(ctx.port, clientThrottle(ctx, limits));
}

/** An actor's own throttle with `limits` (its seeded jitter, its log). */
export function clientThrottle(ctx: Pick<ActorContext, 'address' | 'clock' | 'random' | 'log'>, limits: ClientLimits): ClientThrottle {
  return new ClientThrottle({ component: ctx.address, limits, clock: ctx.clock, random: ctx.random, log: ctx.log });
}
