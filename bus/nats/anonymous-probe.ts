import { connect, errors } from '@nats-io/transport-node';
import { CONTROL_PLANE } from '../identities.ts';
import { KV_ADDRESS } from '../permissions.ts';

/**
 * Whether a NATS server lets a client without credentials publish to the kv actor as the
 * control plane — the forgery a server without the generated permissions allows: the
 * subject names the sender's identity, and only the server's permissions make it true.
 * Connects without user or password and publishes one empty message on that subject:
 * refused at connect (the server requires credentials) or a permissions violation for that
 * publish means no. Nothing subscribes for a reply: the server may deny that instead.
 */
export async function anonymousReachesKv(servers: string, prefix: string, timeoutMs = 2000): Promise<boolean> {
  let nc;
  try {
    nc = await connect({ servers, name: 'kubeactor:anonymous-probe', reconnect: false, maxReconnectAttempts: 0, timeout: timeoutMs });
  } catch {
    return false;
  }
  const subject = `${prefix}.a.${CONTROL_PLANE}.${KV_ADDRESS}`;
  let denied = false;
  const statuses = nc.status();
  void (async () => {
    for await (const s of statuses) {
      if (s.type === 'error' && s.error instanceof errors.PermissionViolationError && s.error.operation === 'publish' && s.error.subject === subject) denied = true;
    }
  })();
  try {
    nc.publish(subject, new Uint8Array(0));
    // The server answers a publish it refuses with -ERR before the PONG of this flush.
    await nc.flush();
    await new Promise((r) => setImmediate(r));
    return !denied;
  } finally {
    await nc.close().catch(() => {});
  }
}
