import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInspector } from '@statelyai/inspect';
import { WebSocket, WebSocketServer } from 'ws';
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { ActorHost } from '../host.ts';
import type { Inspect } from '../lifecycle.ts';
import { globMatcher } from '../replay/glob.ts';
import { bridgePage, STATELY_INSPECT_URL } from './bridge-page.ts';
import { safeJson, sanitize } from './sanitize.ts';
import { SessionTable, slimSnapshot, type StatelyFrame } from './sessions.ts';

/** `--inspect` without a glob: the control plane, not the pods. */
export const DEFAULT_INSPECT_SELECT = 'apiserver,kv,scheduler,controller.*';

export interface InspectorOptions {
  /** Loopback port of the page and the WebSocket; default 8080, 0 for any free port. */
  port?: number;
  /** Followed for stops, so late clients are not shown actors that are gone. */
  host?: ActorHost;
  /** Glob (comma-separated) of the addresses to inspect; default `DEFAULT_INSPECT_SELECT`. */
  select?: string;
  /** The inspector UI the page embeds; default https://stately.ai/inspect. */
  inspectorUrl?: string;
}

/** A running inspector bridge. */
export interface Inspector {
  /** The page to open: it embeds the Stately inspector connected to this process. */
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  /** For `ActorHostOptions.inspectFor`: an observer for selected addresses, undefined for the rest. */
  inspectFor(address: string): Inspect | undefined;
  /** An observer for `address` whatever the selection (replay uses it). */
  observe(address: string): Inspect;
  /** Follows a host's stops (for a host built after the inspector, with `inspectFor`); returns the function that stops following. */
  follow(host: ActorHost): () => void;
  readonly clients: number;
  close(): Promise<void>;
}

/**
 * Streams the XState inspection events of selected actors to browsers, in the Stately
 * inspection format (@statelyai/inspect's `createInspector` converts them): `@xstate.actor`
 * with the machine definition, `@xstate.event`, `@xstate.snapshot`; contexts and events
 * have secrets redacted. A client that connects late first gets every live actor and its
 * latest snapshot. Frames a client sends (another process's `createWebSocketInspector`)
 * are relayed to the others, as @statelyai/inspect's server does — but this server listens
 * on loopback only and opens no browser.
 */
export async function startInspector(opts: InspectorOptions = {}): Promise<Inspector> {
  const selected = globMatcher(opts.select ?? DEFAULT_INSPECT_SELECT);
  const sessions = new SessionTable();
  const roots = new Map<string, string>();
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const broadcast = (json: string, except?: WebSocket): void => {
    for (const c of wss.clients) if (c !== except && c.readyState === WebSocket.OPEN) c.send(json);
  };
  const stately = createInspector(
    {
      send(ev: unknown) {
        const frame = ev as StatelyFrame;
        if ('snapshot' in frame) frame.snapshot = slimSnapshot(frame.snapshot);
        const json = safeJson(frame);
        sessions.note(frame, json);
        broadcast(json);
      },
      start() {},
      stop() {},
    },
    { sanitizeContext: sanitize as (c: unknown) => never, sanitizeEvent: sanitize as (e: unknown) => never },
  );
  const observe = (address: string): Inspect => (ev: InspectionEvent) => {
    const ref = ev.actorRef as AnyActorRef;
    if (ev.type === '@xstate.actor' && ref._parent === undefined) {
      const old = roots.get(address);
      if (old !== undefined) sessions.forgetRoot(old);
      roots.set(address, ref.sessionId);
    }
    stately.inspect.next?.(ev);
  };
  const follow = (host: ActorHost): (() => void) =>
    host.onLifecycle((e) => {
      const root = roots.get(e.address);
      if (e.type === 'stop' && root !== undefined) {
        sessions.forgetRoot(root);
        roots.delete(e.address);
      }
    });
  const offs = opts.host ? [follow(opts.host)] : [];
  wss.on('connection', (ws) => {
    for (const json of sessions.replay()) ws.send(json);
    ws.on('message', (data) => broadcast(data.toString(), ws));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 8080, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const wsUrl = `ws://127.0.0.1:${port}`;
  const page = bridgePage(wsUrl, opts.inspectorUrl ?? STATELY_INSPECT_URL);
  http.on('request', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl,
    port,
    inspectFor: (address) => (selected(address) ? observe(address) : undefined),
    observe,
    follow: (host) => {
      const off = follow(host);
      offs.push(off);
      return off;
    },
    get clients() {
      return wss.clients.size;
    },
    async close() {
      for (const off of offs) off();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/** What to print when the inspector is up. */
export const inspectorBanner = (i: Inspector): string =>
  `Inspector: open ${i.url} in a browser (the Stately inspector, ${STATELY_INSPECT_URL}, fed from ${i.wsUrl})`;
