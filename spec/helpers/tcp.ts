import { connect } from 'node:net';

/**
 * What one TCP connection to `host:port` reads before the other side ends it; `refused` when
 * nothing listens (ECONNREFUSED), `reset` when the connection is cut off.
 */
export function tcpRead(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('close', () => resolve(got));
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : 'reset'));
  });
}
