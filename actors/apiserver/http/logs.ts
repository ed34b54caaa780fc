import type { Envelope } from '../../../base/envelope.ts';
import { badRequest, isServiceUnavailable, isTimeout, status, unavailable } from '../../../base/status.ts';
import type { LogRequest } from '../../../bus/catalogue/logs.ts';
import { isMessage } from '../../../bus/catalogue/index.ts';
import { int64Param, isTrue } from './query.ts';
import { sendStatus, sendText } from './respond.ts';
import { authorizeResource } from './authorize.ts';
import type { ResourceRequest } from './resources.ts';

interface PodLike {
  metadata?: { uid?: string };
  spec?: { nodeName?: string; containers?: { name: string }[] };
}

/**
 * pods/log: finds the pod's node and asks that node's kubelet over the bus, as
 * kube-apiserver proxies to the kubelet. Plain text; with follow=true a chunked stream
 * that lasts until the kubelet ends it or the client goes away.
 */
export async function serveLogs(r: ResourceRequest): Promise<void> {
  const q = r.info.url.searchParams;
  const podTarget = { group: '', version: 'v1', resource: 'pods', namespace: r.target.namespace!, name: r.target.name! };
  const denied = await authorizeResource(r.ctx, r.info.user, { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: podTarget.namespace, name: podTarget.name });
  if (denied) return sendStatus(r.res, denied);
  // Authorized for pods/log: the pod is read by the front itself, to find its kubelet.
  const got = await r.ctx.port.request(r.ctx.apiserver, 'api.get', { target: podTarget }, { timeoutMs: r.ctx.requestTimeoutMs });
  if (!got.ok) return sendStatus(r.res, got.status);
  const pod = got.value as PodLike;
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const container = q.get('container') ?? (names.length === 1 ? names[0]! : '');
  if (!container) {
    return sendStatus(r.res, badRequest(`a container name must be specified for pod ${podTarget.name}, choose one of: [${names.join(' ')}]`));
  }
  if (!names.includes(container)) {
    return sendStatus(r.res, badRequest(`container ${container} is not valid for pod ${podTarget.name}`));
  }
  const node = pod.spec?.nodeName;
  if (!node) return sendStatus(r.res, badRequest(`pod ${podTarget.name} does not have a host assigned`));

  const id = `logs-${r.ctx.watches.newId(podTarget.name)}`;
  const ask: LogRequest = { id, namespace: podTarget.namespace, pod: podTarget.name, container };
  if (pod.metadata?.uid) ask.uid = pod.metadata.uid;
  const follow = isTrue(q.get('follow'));
  if (follow) ask.follow = true;
  if (isTrue(q.get('previous'))) ask.previous = true;
  if (isTrue(q.get('timestamps'))) ask.timestamps = true;
  for (const key of ['tailLines', 'sinceSeconds', 'limitBytes'] as const) {
    const n = int64Param(q, key);
    if (!n.ok) return sendStatus(r.res, n.status);
    if (n.value !== undefined) ask[key] = n.value;
  }
  const sinceTime = q.get('sinceTime');
  if (sinceTime) ask.sinceTime = sinceTime;

  const kubelet = `kubelet.${node}`;
  const port = r.ctx.port;
  // Chunks may overtake the reply on the bus: they wait here until the headers are out.
  const early: Envelope[] = [];
  if (follow) r.ctx.streams.set(id, (env) => (r.res.headersSent ? onChunk(r, id, env) : early.push(env)));
  const answer = await port.request(kubelet, 'kubelet.logs', ask, { timeoutMs: r.ctx.requestTimeoutMs });
  if (!answer.ok) {
    r.ctx.streams.delete(id);
    const s = answer.status;
    // No kubelet at the address: the node's agent is not running (or never existed).
    if (isServiceUnavailable(s)) return sendStatus(r.res, unavailable(`no kubelet answers for node "${node}": ${s.message}`));
    return sendStatus(r.res, isTimeout(s) ? status(500, 'InternalError', `Internal error occurred: the kubelet of node "${node}" did not answer in time`) : s);
  }
  if (!follow) return sendText(r.res, answer.value.text);
  r.res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  r.res.flushHeaders();
  if (answer.value.text) r.res.write(answer.value.text);
  for (const env of early) onChunk(r, id, env);
  r.res.on('close', () => {
    if (r.ctx.streams.delete(id)) port.send(kubelet, 'kubelet.logs-stop', { id });
  });
}

function onChunk(r: ResourceRequest, id: string, env: Envelope): void {
  if (isMessage(env, 'kubelet.log-chunk')) {
    if (env.payload.text && !r.res.writableEnded) r.res.write(env.payload.text);
  } else if (isMessage(env, 'kubelet.log-end')) {
    r.ctx.streams.delete(id);
    r.res.end();
  }
}
