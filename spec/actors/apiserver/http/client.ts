/** A tiny HTTPS client for the front's specs: trusts the front's CA, sends the token. */
import { request } from 'node:https';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

export function client(base: string, ca: string, token: string | null) {
  // A header given a list is sent once per value.
  return (method: string, path: string, opts: { body?: string | Buffer; headers?: Record<string, string | string[]> } = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = { ...opts.headers };
      if (token) headers.authorization = `Bearer ${token}`;
      if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
      const req = request(new URL(path, base), { method, ca, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      });
      req.on('error', reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
}

/** Opens a streaming GET and collects newline-delimited JSON lines as they come. */
export function stream(base: string, ca: string, token: string, path: string, headers: Record<string, string> = {}) {
  const lines: any[] = [];
  let ended = false;
  let status = 0;
  let onHead: () => void = () => {};
  const head = new Promise<void>((r) => (onHead = r));
  const req = request(new URL(path, base), { method: 'GET', ca, headers: { ...headers, authorization: `Bearer ${token}` } }, (res) => {
    status = res.statusCode ?? 0;
    onHead();
    let buf = '';
    res.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    });
    res.on('end', () => (ended = true));
    res.on('close', () => (ended = true));
  });
  req.on('error', () => (ended = true));
  req.end();
  return {
    lines,
    head,
    get status() { return status; },
    get ended() { return ended; },
    close: () => req.destroy(),
  };
}
