import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../../actors/simulate/scenario-dir.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-scenario-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('--scenario DIR: manifests at the start, files an apply action names later, timed actions', () => {
  writeFileSync(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n');
  writeFileSync(join(dir, 'later.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n');
  writeFileSync(join(dir, 'actions'), '# scale then apply\n1m scale deployment/web 3\n2m apply later.yaml\n');
  const s = loadScenario(dir);
  assert.equal(s.manifests.map((m) => m.metadata.name), ['one', 'web']);
  assert.equal(s.files['later.yaml']!.map((m) => m.metadata.name), ['two']);
  assert.equal(s.actions.map((a) => [a.at, a.action.verb]), [[60_000, 'scale'], [120_000, 'apply']]);
});

test('a manifest without a name, or an apply of a file that is not there, is refused', () => {
  writeFileSync(join(dir, 'actions'), '2m apply missing.yaml\n');
  assert.throws(() => loadScenario(dir), /actions apply missing\.yaml, which is not a manifest file/);
  writeFileSync(join(dir, 'actions'), '');
  writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: ConfigMap\n');
  assert.throws(() => loadScenario(dir), /bad\.yaml: every document needs apiVersion, kind and metadata\.name/);
});

test.run();
