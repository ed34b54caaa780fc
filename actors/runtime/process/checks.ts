/**
 * Network checks of probes and hooks, against the pod IP as kubelet does them: httpGet
 * (2xx and 3xx succeed; kubelet's User-Agent), tcpSocket (a connection opens), grpc (the
 * standard grpc.health.v1.Health/Check answers SERVING). Messages are kubelet's.
 */
import { request as httpRequest } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, GRPCAction, HTTPGetAction, TCPSocketAction } from 'kubernetes-types/core/v1.js';

export type CheckResult = { ok: true } | { ok: false; message: string };

/** A named port resolves through the container's ports, as kubelet's probe does. */
export function portOf(port: number | string, container: Container): number | null {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort ?? null;
}

const hostPort = (host: string, port: number): string => `${host}:${port}`;

export function httpCheck(a: HTTPGetAction, host: string, container: Container, timeoutMs: number): Promise<CheckResult> {
  const port = portOf(a.port, container);
  if (port === null) return Promise.resolve({ ok: false, message: `unable to find port "${a.port}" in container ${container.name}` });
  const scheme = (a.scheme ?? 'HTTP').toLowerCase();
  const h = a.host || host;
  const path = a.path ? (a.path.startsWith('/') ? a.path : `/${a.path}`) : '/';
  const url = `${scheme}://${hostPort(h, port)}${path}`;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const x of a.httpHeaders ?? []) headers[x.name] = x.value;
  return new Promise((resolve) => {
    const send = scheme === 'https' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, message: `Get "${url}": ${dialError(h, port, err)}` }));
    req.end();
  });
}

export function tcpCheck(a: TCPSocketAction, host: string, container: Container, timeoutMs: number): Promise<CheckResult> {
  const port = portOf(a.port, container);
  if (port === null) return Promise.resolve({ ok: false, message: `unable to find port "${a.port}" in container ${container.name}` });
  const h = a.host || host;
  return new Promise((resolve) => {
    const s = connect({ host: h, port, timeout: timeoutMs });
    s.once('connect', () => {
      s.destroy();
      resolve({ ok: true });
    });
    s.once('timeout', () => {
      s.destroy();
      resolve({ ok: false, message: `dial tcp ${hostPort(h, port)}: i/o timeout` });
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, message: dialError(h, port, err) }));
  });
}

const dialError = (host: string, port: number, err: NodeJS.ErrnoException): string =>
  err.code === 'ECONNREFUSED' ? `dial tcp ${hostPort(host, port)}: connect: connection refused` : `dial tcp ${hostPort(host, port)}: ${err.message}`;

const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** grpc.health.v1.Health/Check over plaintext HTTP/2, the request and answer protobufs by hand (one string field in, one enum out). */
export function grpcCheck(a: GRPCAction, host: string, timeoutMs: number): Promise<CheckResult> {
  const target = hostPort(host, a.port);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: CheckResult): void => {
      if (settled) return;
      settled = true;
      session.destroy();
      resolve(r);
    };
    const session = http2Connect(`http://${target}`);
    session.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, message: `failed to connect service "${target}" within ${timeoutMs / 1000}s: ${err.message}` }));
    const timer = setTimeout(() => finish({ ok: false, message: `timeout: health rpc did not complete within ${timeoutMs / 1000}s` }), timeoutMs);
    const service = Buffer.from(a.service ?? '');
    const msg = service.length ? Buffer.concat([Buffer.from([0x0a, service.length]), service]) : Buffer.alloc(0);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, msg.length]), msg]);
    const req = session.request({ ':method': 'POST', ':path': '/grpc.health.v1.Health/Check', 'content-type': 'application/grpc', te: 'trailers' });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    req.on('response', (h) => (grpcStatus = h['grpc-status'] as string | undefined));
    req.on('trailers', (h) => (grpcStatus = (h['grpc-status'] as string | undefined) ?? grpcStatus));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', (err) => finish({ ok: false, message: `health rpc failed: ${err.message}` }));
    req.on('end', () => {
      clearTimeout(timer);
      if (grpcStatus !== undefined && grpcStatus !== '0') return finish({ ok: false, message: `health rpc failed: grpc-status ${grpcStatus}` });
      const body = Buffer.concat(chunks).subarray(5);
      const code = body[0] === 0x08 ? (body[1] ?? 0) : 0;
      finish(code === 1 ? { ok: true } : { ok: false, message: `service unhealthy (responded with "${SERVING_STATUS[code] ?? code}")` });
    });
    req.end(frame);
  });
}
