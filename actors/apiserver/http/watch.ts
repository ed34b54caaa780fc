import type { KubeObject, WatchEvent } from '../../../bus/catalogue/api.ts';
import { badRequest, isGone, type Status } from '../../../base/status.ts';
import { tableFor } from '../../../api/tables/index.ts';
import { wantsTable } from './negotiate.ts';
import { isTrue, listOptions, nonNegative } from './query.ts';
import { includeObjectOf } from './read.ts';
import { sendStatus } from './respond.ts';
import type { ResourceRequest } from './resources.ts';
import { setPfHeaders } from './flowcontrol.ts';
import { eventsToAsked } from './conversion.ts';

/** The apiserver's --min-request-timeout: a watch that names no timeoutSeconds lasts 1× to 2× this. */
export const MIN_REQUEST_TIMEOUT_SECONDS = 1800;

/** The longest delay a Node timer holds (2^31-1 ms, about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How long a watch lasts, as ListResource (handlers/get.go) decides: timeoutSeconds as given;
 * none (or 0) is --min-request-timeout × (1 + a random fraction), which spreads the re-watches
 * of many clients. Clamped to what a timer can hold.
 */
export function watchLengthMs(timeoutSeconds: number | undefined, random: () => number = Math.random): number {
  const seconds = timeoutSeconds || MIN_REQUEST_TIMEOUT_SECONDS * (1 + random());
  return Math.min(seconds * 1000, MAX_TIMER_MS);
}

/**
 * A watch over HTTP: newline-delimited `{"type","object"}` JSON events, fed by the
 * `api.watch-events` the apiserver sends to the front. Headers go out at once (clients
 * wait for them before they read events or time out). The stream ends on timeoutSeconds,
 * when the apiserver ends the watch (a 410 arrives as an ERROR event carrying the Status),
 * or when the client goes away (the apiserver is told with `api.unwatch`).
 */
export async function serveWatch(r: ResourceRequest): Promise<void> {
  const q = r.info.url.searchParams;
  const options = listOptions(q);
  if (!options.ok) return sendStatus(r.res, options.status);
  const table = wantsTable(r.info.accept);
  const include = includeObjectOf(q);
  if (!include) return sendStatus(r.res, badRequest(`includeObject: Unsupported value: "${q.get('includeObject')}"`));
  const timeoutSeconds = nonNegative(q, 'timeoutSeconds');
  if (!timeoutSeconds.ok) return sendStatus(r.res, timeoutSeconds.status);
  const { ctx, res } = r;
  const id = ctx.watches.newId(`${r.kind.resource}`);
  let open = true;
  let headed = false;
  let sentColumns = false;

  const encode = (event: WatchEvent): string => {
    const ev = event;
    if (!table || ev.type === 'ERROR') return JSON.stringify(ev) + '\n';
    const obj = ev.object;
    const rv = ev.object.metadata?.resourceVersion;
    const listMeta = rv ? { resourceVersion: rv } : {};
    const t = ev.type === 'BOOKMARK'
      ? { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, columnDefinitions: [], rows: [] }
      : tableFor(r.kind, [obj], { now: Date.now(), includeObject: include, listMeta, noColumns: sentColumns });
    if (ev.type !== 'BOOKMARK') sentColumns = true;
    return JSON.stringify({ type: ev.type, object: t }) + '\n';
  };
  const head = () => {
    if (headed) return;
    headed = true;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
  };
  const finish = (unwatch: boolean) => {
    if (!open) return;
    open = false;
    ctx.clock.clearTimeout(timer);
    ctx.watches.close(id);
    if (unwatch) ctx.port.send(ctx.apiserver, 'api.unwatch', { id });
    if (!res.writableEnded) res.end();
  };
  const errorEvent = (status: Status | KubeObject) => {
    head();
    res.write(JSON.stringify({ type: 'ERROR', object: status }) + '\n');
  };

  const write = (events: WatchEvent[]) => {
    head();
    res.write(events.map(encode).join(''));
  };
  // Converted events keep their order: each batch waits for the one before; a failed
  // conversion ends the stream with an ERROR event carrying the Status, as upstream's watch does.
  let converting = Promise.resolve();
  const inOrder = (step: () => void | Promise<void>) => {
    converting = converting.then(step).catch((err: unknown) => ctx.log.error('watch: a converted event could not be sent', { err }));
  };
  const conversion = r.conversion;
  ctx.watches.open(id, {
    events: (events) => {
      if (!open) return;
      if (!conversion) return write(events);
      inOrder(async () => {
        const converted = await eventsToAsked(conversion, events);
        if (!open) return;
        if (converted.ok) return write(converted.value);
        errorEvent(converted.status);
        finish(true);
      });
    },
    ended: (status) => {
      const end = () => {
        if (!open) return;
        errorEvent(status);
        finish(false);
      };
      if (conversion) inOrder(end);
      else end();
    },
    // The response's own buffer plus its socket's (what the client has not taken yet).
    backlog: () => (open ? res.writableLength : 0),
    cut: () => {
      finish(true);
      res.destroy();
    },
  });
  res.on('close', () => finish(true));
  const timer = ctx.clock.setTimeout(() => finish(true), watchLengthMs(timeoutSeconds.value));

  const payload = {
    target: r.target,
    user: r.info.user,
    id,
    options: options.value,
    allowWatchBookmarks: isTrue(q.get('allowWatchBookmarks')),
    ...(q.get('sendInitialEvents') !== null ? { sendInitialEvents: isTrue(q.get('sendInitialEvents')) } : {}),
  };
  const started = await ctx.port.request(ctx.apiserver, 'api.watch', payload, { timeoutMs: ctx.requestTimeoutMs });
  setPfHeaders(res, started);
  if (!open) {
    // The client left while the watch was starting: the first unwatch may have overtaken it.
    if (started.ok) ctx.port.send(ctx.apiserver, 'api.unwatch', { id });
    return;
  }
  if (!started.ok) {
    ctx.watches.close(id);
    open = false;
    ctx.clock.clearTimeout(timer);
    // A too-old resourceVersion is part of the watch protocol: clients expect it in the stream.
    if (isGone(started)) {
      errorEvent(started.status);
      res.end();
      return;
    }
    return sendStatus(res, started.status);
  }
  head();
  ctx.watches.ready(id);
}
