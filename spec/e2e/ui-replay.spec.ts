/**
 * `kubeactor replay LOG --ui` in a real browser (Debian's headless chromium): on the golden
 * log, the scrubber moved to a seq shows the same active state and context as `kubeactor
 * replay --at SEQ` prints; stepping moves one entry; on an edited log verified first, the
 * diverging actor and its first differing message are highlighted, expected against actual.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { replay } from '../../cli/replay.ts';
import { readLog } from '../../actors/record/reader.ts';
import { loadLogs } from '../../actors/replay/merge.ts';
import { startReplayUi } from '../../actors/ui/replay-ui.ts';
import { GOLDEN_LOG } from '../fixtures/golden/scenario.ts';
import { writeAltered } from '../helpers/logs.ts';
import { alive, launchBrowser, type HeadlessBrowser } from './browser.ts';

// Page-side callbacks run in the browser; node's types lack its globals.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-ui-replay-'));
const log = readLog(GOLDEN_LOG);
let b: HeadlessBrowser;
let page: Page;

test.before(async () => {
  b = await launchBrowser();
  page = await b.page();
});
test.after(async () => {
  await b?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cliAt(file: string, seq: number, actor: string): Promise<{ value: unknown; context: unknown; status: string }> {
  const out: string[] = [];
  assert.is(await replay([file, '--at', String(seq), '--actor', actor, '--json'], { out: (l) => out.push(l), err: () => {} }), 0);
  return JSON.parse(out[0]!);
}

async function openUi(file: string, verify = false) {
  const logs = loadLogs([file]);
  return startReplayUi({ entries: logs.entries, header: logs.header, title: 'replay — spec', port: 0, verify });
}

test('the scrubber at a seq shows the active state and context `replay --at SEQ` prints; step moves one entry', async () => {
  // Right after the replicaset controller's first pod creation: it is syncing, with a queue.
  const seq = log.entries.find((e) => e.kind === 'msg' && e.from === 'controller.replicaset' && e.type === 'api.create')!.n;
  const expected = await cliAt(GOLDEN_LOG, seq, 'controller.replicaset');
  const ui = await openUi(GOLDEN_LOG);
  try {
    await page.goto(`${ui.server.url}#actor=controller.replicaset`);
    await page.waitForSelector('.replay-bar input.seq');
    await page.waitForSelector('.chart svg g[data-state]', { timeout: 30_000 });
    await page.$eval('.replay-bar input.seq', (el: any, s: number) => (el.value = String(s)), seq);
    await page.click('.replay-bar button.go');
    await page.waitForFunction((s: number) => document.querySelector('pre.value')?.textContent?.includes(`(after seq ${s})`), { timeout: 60_000 }, seq);
    const value = await page.$eval('pre.value', (e: any) => JSON.parse(e.getAttribute('data-value')));
    const context = await page.$eval('pre.context', (e: any) => JSON.parse(e.textContent));
    assert.equal(value, expected.value);
    assert.equal(context, expected.context);
    const lit = await page.$$eval('.chart svg g[data-state].active', (els) => els.map((e) => e.getAttribute('data-state')));
    assert.ok(lit.some((id) => id?.endsWith(`.${String(expected.value)}`)), `${String(expected.value)} highlighted: ${lit.join(' ')}`);
    assert.is(await page.$eval('.replay-bar', (e: any) => e.getAttribute('data-seq')), String(seq));
    await page.screenshot({ path: 'docs/ui/replay.png' });
    await page.click('.replay-bar button.fwd');
    await page.waitForFunction((s: number) => document.querySelector('pre.value')?.textContent?.includes(`(after seq ${s})`), { timeout: 60_000 }, seq + 1);
    const next = await cliAt(GOLDEN_LOG, seq + 1, 'controller.replicaset');
    assert.equal(await page.$eval('pre.context', (e: any) => JSON.parse(e.textContent)), next.context);
  } finally {
    await ui.close();
  }
});

test("after --verify of an edited log, the diverging actor and its first differing message are highlighted: expected against actual", async () => {
  const victim = log.entries.find((e) => e.kind === 'msg' && e.from === 'scheduler' && e.type === 'api.create' && JSON.stringify(e).includes('"crasher"'))!;
  const file = join(dir, 'altered.log');
  writeAltered(log, file, victim, (e) => void ((e.payload as { object: { target: { name: string } } }).object.target.name = 'node-9'));
  const ui = await openUi(file, true);
  try {
    await page.goto(ui.server.url);
    const d = await page.waitForSelector('.divergence[data-actor="scheduler"]', { timeout: 30_000 });
    const text = await d!.evaluate((e: any) => e.textContent as string);
    assert.match(text, `divergence at seq ${victim.n}, actor scheduler`);
    assert.match(text, 'at payload.object.target.name');
    assert.match(text, '- expected: "node-9"');
    assert.match(text, /\+ actual: +"node-\d"/);
    await d!.click();
    await page.waitForSelector(`.diagram g.msg.diverged[data-seq="${victim.n}"]`, { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('pre.payload')?.textContent?.includes('"node-9"'), { timeout: 10_000 });
    await page.screenshot({ path: 'docs/ui/divergence.png' });
    await page.goto(`${ui.server.url}#actors`);
    await page.waitForSelector('.actor.diverged[data-address="scheduler"]', { timeout: 10_000 });
  } finally {
    await ui.close();
  }
});

test('the browser is gone once closed', async () => {
  const pid = b.pid;
  await b.close();
  assert.not.ok(alive(pid), `chromium ${pid} left running`);
});

test.run();
