/**
 * `kubeactor replay LOG --ui`: the web UI on a recording, with its timeline scrubber; after
 * `--verify`, the divergences highlighted.
 */
import type { LogHeader } from '../record/format.ts';
import type { Positioned } from '../replay/merge.ts';
import type { ReplayRegistry } from '../replay/registry.ts';
import { ReplaySource } from './replay-source.ts';
import { startUiServer, type UiServer } from './server.ts';

export interface ReplayUiOptions {
  entries: readonly Positioned[];
  header: LogHeader | undefined;
  title: string;
  registry?: ReplayRegistry;
  /** Default 0 (any free port). */
  port?: number;
  /** Verify the whole log first (as `--verify`); the UI shows its divergences. */
  verify?: boolean;
  /** The position to open at (default the log's end). */
  at?: number;
}

export async function startReplayUi(opts: ReplayUiOptions): Promise<{ server: UiServer; source: ReplaySource; close(): Promise<void> }> {
  const source = new ReplaySource(opts.entries, opts.header, { ...(opts.registry ? { registry: opts.registry } : {}), ...(opts.at !== undefined ? { seq: opts.at } : {}) });
  if (opts.verify) await source.verify();
  const ui = source.asUiSource(opts.title);
  const server = await startUiServer(ui, { port: opts.port ?? 0 });
  return {
    server,
    source,
    async close() {
      await server.close();
      await ui.close();
    },
  };
}
