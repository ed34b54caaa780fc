/**
 * A terminal reconcile error (controller-runtime's reconcile.TerminalError): the key cannot
 * succeed until its object changes — an invalid spec, a forbidden write — so the reconcile
 * chart reports it and forgets the key instead of retrying with backoff. A later change of
 * the object enqueues the key again as usual.
 */
export class TerminalError extends Error {
  /** Marks the error across realms and copies (the chart tests the mark, not the class). */
  readonly terminal = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** True for a TerminalError (or anything marked `terminal: true`). */
export function isTerminal(e: unknown): boolean {
  return e instanceof TerminalError || (typeof e === 'object' && e !== null && (e as { terminal?: unknown }).terminal === true);
}
