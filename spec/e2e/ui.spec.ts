/**
 * The web UI in a real browser (Debian's headless chromium) on a live cluster: the cluster
 * view lists the nodes, `kubectl scale` makes new pods appear, controller.replicaset's chart
 * shows its active state moving during the scale, and the message view shows its api.create
 * requests. Screenshots go to docs/ui/ (the README shows them).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer-core';
import { realClock } from '../../base/real-clock.ts';
import { startLiveUi } from '../../actors/ui/live-source.ts';
import { startCluster, must, type Cluster } from './cluster.ts';
import { alive, launchBrowser, type HeadlessBrowser } from './browser.ts';

// Page-side callbacks (page.evaluate, waitForFunction) run in the browser; node's types lack its globals.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any, window: any, MutationObserver: any;

let c: Cluster;
let ui: Awaited<ReturnType<typeof startLiveUi>>;
let b: HeadlessBrowser;
let page: Page;

const shot = (name: string) => page.screenshot({ path: `docs/ui/${name}.png` as `${string}.png` });
const waitText = (selector: string, text: string, timeout = 30_000) =>
  page.waitForFunction((s: string, t: string) => [...document.querySelectorAll(s)].some((e: any) => e.textContent?.includes(t)), { timeout }, selector, text);

test.before(async () => {
  c = await startCluster({ controllers: 'deployment,replicaset', nodes: { count: 3 } });
  ui = await startLiveUi({ host: c.host, bus: c.bus, clock: realClock, port: 0 });
  b = await launchBrowser();
  page = await b.page();
});
test.after(async () => {
  await b?.close();
  await ui?.close();
  await c?.stop();
});

test('the cluster view lists the nodes', async () => {
  await page.goto(ui.server.url);
  await page.waitForSelector('.row.node[data-node="node-3"]', { timeout: 20_000 });
  const nodes = await page.$$eval('.row.node', (els) => els.map((e) => e.getAttribute('data-node')));
  assert.equal(nodes, ['node-1', 'node-2', 'node-3']);
  await waitText('.summary', '3 nodes (3 ready)');
});

test('kubectl scale makes new pods appear in the cluster view', async () => {
  must(await c.kubectl(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2']), 'create deployment');
  const webPods = () => page.$$eval('.row.node .pod', (els) => els.map((e) => e.textContent ?? '').filter((t) => t.startsWith('web-')));
  await page.waitForFunction(() => [...document.querySelectorAll('.row.node .pod')].filter((e: any) => e.textContent?.startsWith('web-')).length === 2, { timeout: 30_000 });
  const before = await webPods();
  must(await c.kubectl(['scale', 'deployment', 'web', '--replicas=5']), 'scale');
  await page.waitForFunction(() => [...document.querySelectorAll('.row.node .pod')].filter((e: any) => e.textContent?.startsWith('web-')).length === 5, { timeout: 30_000 });
  const after = await webPods();
  assert.is(after.length, 5);
  for (const p of before) assert.ok(after.includes(p), `${p} still shown`);
  await waitText('.row.workload', 'default/web');
  await shot('cluster');
});

test('controller.replicaset: its chart, with the active state changing during a scale', async () => {
  await page.goto(`${ui.server.url}#actor=controller.replicaset`);
  await page.waitForSelector('.chart svg g[data-state]', { timeout: 30_000 });
  const states = await page.$$eval('.chart svg g[data-state]', (els) => els.map((e) => e.getAttribute('data-state')));
  for (const s of ['idle', 'syncing', 'next']) assert.ok(states.some((id) => id?.endsWith(`.${s}`)), `state ${s} drawn: ${states.join(' ')}`);
  // Every value the view shows from now on, and every highlight, as the tab sees them.
  await page.evaluate(() => {
    const w = window as unknown as { seen: string[]; lit: string[] };
    w.seen = [];
    w.lit = [];
    const pre = document.querySelector('pre.value')!;
    new MutationObserver(() => {
      w.seen.push(pre.getAttribute('data-value') ?? '');
      for (const g of document.querySelectorAll('.chart svg g[data-state].active')) w.lit.push(g.getAttribute('data-state') ?? '');
    }).observe(pre, { attributes: true, characterData: true, childList: true, subtree: true });
  });
  const syncsBefore = await page.$eval('pre.context', (e) => JSON.parse(e.textContent ?? '{}').syncs as number);
  must(await c.kubectl(['scale', 'deployment', 'web', '--replicas=8']), 'scale');
  await page.waitForFunction(() => (window as unknown as { seen: string[] }).seen.includes('"syncing"'), { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector('pre.value')?.getAttribute('data-value') === '"idle"', { timeout: 30_000 });
  const lit = await page.evaluate(() => (window as unknown as { lit: string[] }).lit);
  assert.ok(lit.some((id) => id.endsWith('.syncing')), 'syncing highlighted');
  // The context follows the value at most 200 ms later (the feed rate-limits its conversion).
  await page.waitForFunction((before) => (JSON.parse(document.querySelector('pre.context')?.textContent ?? '{}').syncs as number) > before, { timeout: 10_000 }, syncsBefore);
  await waitText('ol.events li', 'enqueue');
  await shot('actor');
});

test("the message view shows the replicaset controller's api.create requests, with their payload", async () => {
  await page.goto(`${ui.server.url}#messages=controller.replicaset;api.create`);
  await page.waitForSelector('.diagram g.msg', { timeout: 20_000 });
  must(await c.kubectl(['scale', 'deployment', 'web', '--replicas=10']), 'scale');
  const podCreates = () => [...document.querySelectorAll('.diagram g.msg title')].filter((e: any) => e.textContent.includes('api.create pods default/web-'));
  await page.waitForFunction(`(${podCreates})().length >= 10`, { timeout: 30_000 });
  const rows = await page.$$eval('.diagram g.msg title', (els) => els.map((e) => e.textContent ?? ''));
  // Its pod creations (one per replica), and the Events it records beside them.
  assert.ok(rows.every((t) => / controller\.replicaset → apiserver api\.create (pods|events) default\/web-/.test(t)), rows.join('\n'));
  const last = await page.evaluate(`(${podCreates})().pop().parentNode.getAttribute('data-seq')`);
  await page.click(`.diagram g.msg[data-seq="${String(last)}"] text:last-child`);
  await waitText('pre.payload', '"kind": "Pod"');
  const payload = await page.$eval('pre.payload', (e) => e.textContent ?? '');
  assert.match(payload, /"generateName": "web-/);
  await shot('messages');
});

test('the browser is gone once closed', async () => {
  const pid = b.pid;
  await b.close();
  assert.not.ok(alive(pid), `chromium ${pid} left running`);
});

test.run();
