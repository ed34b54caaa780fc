// kubeactor/http-echo: answers every request with the pod's name and the request it got;
// GET /clientip answers with the client's address as this server sees it (ip:port), as
// agnhost netexec's /clientip does.
// Listens on $POD_IP (all addresses when unset) and $PORT (default 8080). On SIGTERM it drains
// as a well-behaved server behind a Service does: every answer from then on says
// `connection: close`, and it exits 0 once no request came for a moment (or after 10 s), so a
// client's kept-alive connection ends after an answer instead of being cut mid-request.
import { createServer } from 'node:http';
import { hostname } from 'node:os';

const port = Number(process.env.PORT || 8080);
const host = process.env.POD_IP || undefined;
let draining = false;
let lastRequest = Date.now();
const server = createServer((req, res) => {
  lastRequest = Date.now();
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/clientip') return void res.end(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
    const lines = [`pod: ${process.env.POD_NAME || hostname()}`, `request: ${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (const [k, v] of Object.entries(req.headers)) lines.push(`${k}: ${v}`);
    const body = Buffer.concat(chunks).toString('utf8');
    if (body) lines.push('', body);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...(draining ? { connection: 'close' } : {}) });
    res.end(lines.join('\n') + '\n');
  });
});
server.listen(port, host, () => console.log(`http-echo listening on ${host ?? '*'}:${port}`));
const QUIET_MS = 500;
process.on('SIGTERM', () => {
  console.log('http-echo: SIGTERM, draining');
  draining = true;
  lastRequest = Date.now();
  const check = setInterval(() => {
    if (Date.now() - lastRequest >= QUIET_MS) process.exit(0);
  }, 100);
  check.unref();
  setTimeout(() => process.exit(0), 10_000);
});
