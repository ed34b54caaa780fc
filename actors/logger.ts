import type { Logger } from './actor-def.ts';

export type LogLevel = 'info' | 'warn' | 'error';

/** One log line as a memory logger keeps it. */
export interface LogRecord {
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
}

/** An Error's fields survive JSON and structured logs only if spelled out. */
function plain(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return fields;
  let out = fields;
  for (const k in fields) {
    const v = fields[k];
    if (!(v instanceof Error)) continue;
    if (out === fields) out = { ...fields };
    out[k] = { name: v.name, message: v.message, stack: v.stack };
  }
  return out;
}

/** Lines to stderr/stdout: `level msg {"field":...}`. */
export const consoleLogger: Logger = {
  info: (msg, fields) => console.log(line('info', msg, fields)),
  warn: (msg, fields) => console.warn(line('warn', msg, fields)),
  error: (msg, fields) => console.error(line('error', msg, fields)),
};

function line(level: LogLevel, msg: string, fields: Record<string, unknown> | undefined): string {
  const f = plain(fields);
  return f ? `${level} ${msg} ${JSON.stringify(f)}` : `${level} ${msg}`;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Keeps every record in `records` (specs assert on them). */
export function memoryLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    records.push({ level, msg, fields: { ...fields } });
  };
  return { records, info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * A logger that adds fixed fields (an actor's address) to every record. A class rather
 * than closures: the host makes one per actor, and methods on the prototype cost nothing per instance.
 */
export class FieldLogger implements Logger {
  constructor(
    private readonly base: Logger,
    private readonly fields: Record<string, unknown>,
  ) {}
  info(msg: string, fields?: Record<string, unknown>): void {
    this.base.info(msg, fields ? { ...this.fields, ...fields } : this.fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.base.warn(msg, fields ? { ...this.fields, ...fields } : this.fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.base.error(msg, fields ? { ...this.fields, ...fields } : this.fields);
  }
}
