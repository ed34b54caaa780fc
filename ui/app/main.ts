/**
 * Kubeactor's web UI (bundled by actors/ui/assets.ts; served by actors/ui/server.ts): the
 * cluster, actor and message views over one WebSocket, and a replay's scrubber.
 * `#actor=ADDRESS` and `#messages=ACTORS` in the URL open a view directly.
 */
import type { Hello } from '../../actors/ui/protocol.ts';
import type { UiDivergence } from '../../actors/ui/source.ts';
import { ActorView } from './actor-view.ts';
import { ClusterView } from './cluster-view.ts';
import { Conn } from './conn.ts';
import { fill, h } from './dom.ts';
import { MessageView } from './message-view.ts';
import { ReplayBar } from './replay-bar.ts';

type Tab = 'cluster' | 'actors' | 'messages';

async function main(): Promise<void> {
  const root = document.getElementById('app')!;
  const status = h('span.conn', {}, 'connecting…');
  let cluster: ClusterView | undefined, actors: ActorView | undefined, messages: MessageView | undefined, bar: ReplayBar | undefined;
  const conn = new Conn(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, (p) => {
    switch (p.push) {
      case 'cluster': return cluster?.frame(p.summary, p.windows);
      case 'actor': return actors?.update(p.update, p.events);
      case 'messages': return messages?.add(p.rows, p.reset);
      case 'position': return bar?.position(p.position);
    }
  }, () => fill(status, 'disconnected'));
  const hello = await conn.call<Hello>({ op: 'hello' });
  fill(status, hello.mode === 'live' ? 'live' : 'replay');
  document.title = hello.title;
  cluster = new ClusterView(conn);
  actors = new ActorView(conn);
  messages = new MessageView(conn);
  const views: Record<Tab, HTMLElement> = { cluster: cluster.el, actors: actors.el, messages: messages.el };
  const tabs = h('nav.tabs');
  const body = h('div.body');
  let current: Tab | undefined;
  const show = (tab: Tab): void => {
    if (tab === current) return;
    if (current === 'actors') actors!.close();
    current = tab;
    for (const b of tabs.querySelectorAll('button')) b.classList.toggle('on', b.getAttribute('data-tab') === tab);
    fill(body, views[tab]);
    document.body.setAttribute('data-view', tab);
    if (tab === 'cluster') cluster!.start();
    if (tab === 'actors') void actors!.loadList();
    if (tab === 'messages') void messages!.load();
  };
  fill(tabs, ...(['cluster', 'actors', 'messages'] as Tab[]).map((t) => h('button', { 'data-tab': t, onclick: () => { location.hash = t; } }, t[0]!.toUpperCase() + t.slice(1))));
  // A divergence clicked: the log at its seq, the diverging actor's messages with the differing one marked.
  const onDivergence = (d: UiDivergence): void => {
    messages!.mark = d.seq;
    void bar!.seek({ seq: d.seq }).then(() => { location.hash = `messages=${d.actor};`; });
  };
  for (const d of hello.divergences ?? []) actors.diverged.add(d.actor);
  if (hello.mode === 'replay') bar = new ReplayBar(conn, hello, onDivergence);
  fill(root, h('header.top', {}, h('h1', {}, 'kubeactor'), tabs, status, h('span.title', {}, hello.title)), bar?.el ?? null, body);
  cluster.summary(hello.summary);
  const route = (): void => {
    const hash = decodeURIComponent(location.hash.slice(1));
    if (hash.startsWith('actor=')) {
      show('actors');
      void actors!.open(hash.slice(6));
    } else if (hash.startsWith('messages=')) {
      show('messages');
      const [a, t] = hash.slice(9).split(';');
      void messages!.filter(a ?? '', t ?? '');
    } else show((['cluster', 'actors', 'messages'] as Tab[]).includes(hash as Tab) ? (hash as Tab) : 'cluster');
  };
  window.addEventListener('hashchange', route);
  route();
  // The specs and the bench read these.
  (window as unknown as { kubeactorUi: unknown }).kubeactorUi = { conn, firstRender: performance.now() };
  document.body.setAttribute('data-ready', 'true');
}

void main();
