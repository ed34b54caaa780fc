// kubeactor/tcp-echo: writes back every byte it receives, on $POD_IP:$PORT (default 9000).
import { createServer } from 'node:net';

const port = Number(process.env.PORT || 9000);
const host = process.env.POD_IP || undefined;
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.listen(port, host, () => console.log(`tcp-echo listening on ${host ?? '*'}:${port}`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
