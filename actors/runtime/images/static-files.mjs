// kubeactor/static-files: serves the files of a directory (first argument, $ROOT, default
// /usr/share/static) over HTTP on $POD_IP:$PORT (default 8080). A directory answers its
// index.html or a listing; a path that leaves the root is 404.
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize, sep } from 'node:path';

const root = normalize(process.argv[2] || process.env.ROOT || '/usr/share/static');
const port = Number(process.env.PORT || 8080);
const host = process.env.POD_IP || undefined;
const types = { '.html': 'text/html', '.txt': 'text/plain', '.json': 'application/json', '.css': 'text/css', '.js': 'text/javascript' };

const server = createServer((req, res) => {
  const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
  if (path !== root && !path.startsWith(root.endsWith(sep) ? root : root + sep)) return notFound(res);
  let st = statSync(path, { throwIfNoEntry: false });
  let file = path;
  if (st?.isDirectory()) {
    const index = join(path, 'index.html');
    const ist = statSync(index, { throwIfNoEntry: false });
    if (!ist?.isFile()) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end(readdirSync(path).sort().join('\n') + '\n');
    }
    file = index;
    st = ist;
  }
  if (!st?.isFile()) return notFound(res);
  const ext = file.slice(file.lastIndexOf('.'));
  res.writeHead(200, { 'content-type': types[ext] ?? 'application/octet-stream', 'content-length': st.size });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
});

function notFound(res) {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('404 page not found\n');
}

server.listen(port, host, () => console.log(`static-files serving ${root} on ${host ?? '*'}:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
