import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDir, KUBELET_DIR, looseEntries } from '../../actors/data-dir.ts';

test('pod volumes under the 0700 kubelet directory keep their pods\' modes without making the data dir "open to others"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-dd-'));
  try {
    chmodSync(dir, 0o700);
    const vol = join(dir, KUBELET_DIR, 'node-1', 'pods', 'u', 'volumes', 'kubernetes.io~configmap', 'c');
    ensurePrivateDir(join(dir, KUBELET_DIR, 'node-1'));
    mkdirSync(vol, { recursive: true, mode: 0o755 });
    writeFileSync(join(vol, 'key'), 'v', { mode: 0o644 });
    assert.equal(looseEntries(dir), []);
    chmodSync(join(dir, KUBELET_DIR), 0o755);
    assert.equal(looseEntries(dir), [{ path: KUBELET_DIR, mode: 0o755 }], 'the kubelet directory itself is still checked');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
