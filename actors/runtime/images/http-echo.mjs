// kubeactor/http-echo: answers every request with the pod's name and the request it got.
// Listens on $POD_IP (all addresses when unset) and $PORT (default 8080); exits 0 on SIGTERM.
import { createServer } from 'node:http';
import { hostname } from 'node:os';

const port = Number(process.env.PORT || 8080);
const host = process.env.POD_IP || undefined;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const lines = [`pod: ${process.env.POD_NAME || hostname()}`, `request: ${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (const [k, v] of Object.entries(req.headers)) lines.push(`${k}: ${v}`);
    const body = Buffer.concat(chunks).toString('utf8');
    if (body) lines.push('', body);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(lines.join('\n') + '\n');
  });
});
server.listen(port, host, () => console.log(`http-echo listening on ${host ?? '*'}:${port}`));
process.on('SIGTERM', () => {
  console.log('http-echo: SIGTERM, closing');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
