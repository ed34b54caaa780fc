/**
 * One HTTPS POST of an AdmissionReview, with the trust and the timeout the webhook asks for,
 * and the failures worded as Go's HTTP client words them (upstream's messages quote them:
 * `Post "https://…?timeout=10s": dial tcp 127.0.0.1:9443: connect: connection refused`).
 */
import { request } from 'node:https';
import { isIP } from 'node:net';

export interface PostOutcome {
  /** The HTTP status code, or 0 when there was no answer (then `error` says why). */
  code: number;
  body?: unknown;
  error?: string;
}

/** Largest answer read (upstream caps webhook responses at the request body limit, 3 MiB). */
const MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

function goError(url: URL, err: NodeJS.ErrnoException): string {
  const hostPort = `${url.hostname}:${url.port || 443}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${hostPort}: connect: connection refused`;
    case 'ECONNRESET':
      return 'read: connection reset by peer';
    case 'EHOSTUNREACH':
      return `dial tcp ${hostPort}: connect: no route to host`;
    case 'ENOTFOUND':
      return `dial tcp: lookup ${url.hostname}: no such host`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: certificate is valid for other names, not ${url.hostname}`;
    case 'CERT_HAS_EXPIRED':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    default:
      return err.message;
  }
}

/** POSTs `body` as JSON to `url`; never rejects. */
export function postJson(url: string, body: unknown, opts: { caBundle?: string; serverName?: string; timeoutSeconds: number }): Promise<PostOutcome> {
  const u = new URL(url);
  const prefix = `Post "${url}": `;
  const payload = Buffer.from(JSON.stringify(body));
  const ca = opts.caBundle ? Buffer.from(opts.caBundle, 'base64').toString('utf8') : undefined;
  // Dialling a Service's address, the certificate is checked against the Service's DNS name (Node checks the servername).
  const servername = opts.serverName ?? (isIP(u.hostname) ? undefined : u.hostname);
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const req = request(
      u,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, */*', 'Content-Length': payload.length },
        ...(ca ? { ca } : {}),
        ...(servername ? { servername } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy();
            done({ code: 0, error: `${prefix}the response is larger than ${MAX_RESPONSE_BYTES} bytes` });
          } else chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // A body that is not JSON is reported by the reader as such.
          }
          done({ code: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', (e) => done({ code: 0, error: prefix + goError(u, e) }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ code: 0, error: `${prefix}context deadline exceeded` });
    }, opts.timeoutSeconds * 1000);
    req.on('error', (e: NodeJS.ErrnoException) => done({ code: 0, error: prefix + goError(u, e) }));
    req.end(payload);
  });
}
