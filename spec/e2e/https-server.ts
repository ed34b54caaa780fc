/** A spec's own HTTPS server on loopback (webhooks the apiserver calls), started and stopped by the spec. */
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1:`port` (0: any free one); answers the port it got. */
export async function listenLoopback(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Closes the server and its open connections (kept-alive ones too), so nothing is left listening. */
export const closeServer = (server: Server): Promise<void> =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
