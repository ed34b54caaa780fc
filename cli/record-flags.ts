import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Bus } from '../bus/bus.ts';
import { type Clock } from '../base/clock.ts';
import { realClock } from '../base/real-clock.ts';
import type { ActorHost } from '../actors/host.ts';
import { firingClock } from '../actors/record/firing-clock.ts';
import { startRecorder, type Recorder } from '../actors/record/recorder.ts';
import { sizeFlag } from './size.ts';

/** The recording flags shared by `up` and `node`. */
export const recordFlagOptions = {
  record: { type: 'string' },
  'record-max-size': { type: 'string' },
  'record-secrets': { type: 'boolean' },
} as const;

export const RECORD_FLAGS_HELP = `  --record FILE                   record every message, timer firing and actor start into FILE
  --record-max-size SIZE          rotate the recording past SIZE bytes (e.g. 64Mi) into FILE.1, FILE.2, …
  --record-secrets                keep Secret data and tokens in the recording (default: redacted)`;

export interface RecordFlags {
  record?: string | undefined;
  'record-max-size'?: string | undefined;
  'record-secrets'?: boolean | undefined;
}

/** What a process needs to record a run: the clock to build the bus and host on, and how to start the recorder. */
export interface Recording {
  /** The real clock, wrapped so the recorder sees timer firings (`firingClock`) when recording. */
  readonly clock: Clock;
  /**
   * Starts the recorder on `bus` and `host` (call it before the host's first actor starts);
   * undefined when not recording. `say` prints the banner line.
   */
  start(o: { bus: Bus; host: ActorHost; seed: number; identity: string; say: (line: string) => void }): Recorder | undefined;
}

/** Reads the recording flags; a bad `--record-max-size` is a UsageError before anything starts. */
export function recordingFrom(flags: RecordFlags): Recording {
  const maxBytes = flags['record-max-size'] === undefined ? undefined : sizeFlag('record-max-size', flags['record-max-size']);
  const file = flags.record === undefined ? undefined : resolve(flags.record);
  const secrets = flags['record-secrets'] === true;
  // A recording needs to see timer firings, so the clock reports them.
  const clock = file === undefined ? realClock : firingClock(realClock);
  return {
    clock,
    start({ bus, host, seed, identity, say }) {
      if (file === undefined) return undefined;
      const recorder = startRecorder({
        bus,
        host,
        clock,
        seed,
        file,
        // One per process: the processes of a NATS run have no shared id to agree on before their first actor starts.
        clusterId: randomUUID(),
        identity: { name: identity },
        ...(maxBytes === undefined ? {} : { maxBytes }),
        ...(secrets ? { recordSecrets: true } : {}),
      });
      say(`recording to ${file}${secrets ? ' (secrets kept)' : ' (secrets redacted)'}`);
      return recorder;
    },
  };
}
