import { DEFAULT_AUTHORIZATION_MODES, parseAuthorizationModes, type AuthorizationMode } from '../actors/apiserver/authorizer.ts';
import { resolve } from 'node:path';
import { kubeDnsIP } from '../actors/apiserver/allocators.ts';
import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_DNS_LISTEN, startDns } from '../actors/dns/actor.ts';
import { DNS_METRICS_PORT } from '../actors/dns/publish.ts';
import { isIPv4 } from '../machines/dns/names.ts';
import { CONTROL_PLANE } from '../bus/identities.ts';
import { startControlPlane, type StorageKind } from '../actors/cluster.ts';
import { LOAD_BALANCER_RANGES, NODE_RANGES, SERVICE_RANGES } from '../actors/address-claims.ts';
import { ensurePrivateDir, looseEntries, loosePermissionsWarning } from '../actors/data-dir.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS, startKubectlFront } from '../actors/apiserver/http/index.ts';
import { publishApiEndpoints } from '../actors/apiserver/kubernetes-endpoints.ts';
import { startSimNodes, type SimNodes } from '../actors/kubelet/index.ts';
import { HEALTHZ_PORT } from '../machines/kube-proxy/rules.ts';
import type { ActorHost } from '../actors/host.ts';
import type { Clock } from '../base/clock.ts';
import type { Bus } from '../bus/bus.ts';
import { startControllers } from '../actors/controllers/index.ts';
import { loadOrCreateTls, tlsFiles } from '../actors/apiserver/http/tls/cert.ts';
import { startScheduler } from '../actors/scheduler/index.ts';
import { startMetricsServer } from '../actors/metrics-server/index.ts';
import { DEFAULT_METRIC_RESOLUTION_MS } from '../machines/metrics-server/chart.ts';
import { formatGoDuration } from '../api/duration.ts';
import { startIngressController, type RunningIngress } from '../actors/ingress/index.ts';
import { prepareLiveUi, startLiveUi } from '../actors/ui/live-source.ts';
import { bothInspect } from '../actors/lifecycle.ts';
import { DEFAULT_UI_PORT, isLoopback, uiBanner } from '../actors/ui/server.ts';
import { loadOrCreateToken } from '../actors/apiserver/http/token.ts';
import { DEFAULT_INSPECT_SELECT, inspectorBanner, startInspector, type Inspector } from '../actors/inspect/inspector.ts';
import type { Recorder } from '../actors/record/recorder.ts';
import { lastHost } from '../api/ipv4.ts';
import { DEFAULT_LOAD_BALANCER_CIDR } from '../actors/controllers/cloud-service/pool.ts';
import { cidrFlag, CliError, durationFlag, intFlag, parse, UsageError } from './args.ts';
import { loadEncryptionConfig } from '../actors/apiserver/encryption/config.ts';
import { Transformers } from '../actors/apiserver/encryption/transformer.ts';
import { BUS_FLAGS_HELP, busFlagOptions, openBus, inboxLimitFlag } from './bus-flags.ts';
import { WorkersBus } from '../bus/workers/bus.ts';
import { startNodeWorkers, type NodeWorkers, type NodeWorkersOptions } from '../actors/node-workers/start.ts';
import { RECORD_FLAGS_HELP, recordFlagOptions, recordingFrom } from './record-flags.ts';
import type { Logger } from '../actors/actor-def.ts';
import type { KubeletOptions } from '../actors/kubelet/config.ts';
import { claimAddresses, claimClusterCidr, RUNTIME_FLAGS_HELP, runtimeFlagOptions, runtimeFrom, runtimeLog, type RuntimeChoice } from './runtime-flags.ts';
import { untilSignal } from './signals.ts';
import { KUBELET_FLAGS_HELP, kubeletConfigFrom, kubeletFlagOptions } from './kubelet-flags.ts';
import { AUDIT_FLAGS_HELP, auditFlagOptions, auditFrom } from './audit-flags.ts';
import { clientLimitFlagOptions, clientLimitsFrom, kubeletLimits, UP_CLIENT_LIMIT_FLAGS_HELP } from './client-limit-flags.ts';
import { FlowControl } from '../actors/apiserver/flowcontrol/controller.ts';

export const UP_HELP = `kubeactor up — run a Kubernetes control plane and its nodes

Usage: kubeactor up [flags]

Flags:
  --data-dir DIR                  where the store, certificates and kubeconfig live (default .kubeactor;
                                  created 0700, its files 0600; a looser existing one is warned about)
  --storage lmdb|memory           the kv actor's backend (default lmdb: durable, in DIR/kv)
  --port N                        the HTTPS API port on 127.0.0.1 (default 6443; 0 picks a free one)
  --nodes N                       nodes node-1 … node-N in this process (default
                                  3; over NATS 0: nodes join with \`kubeactor node\`); a restart on the
                                  same data dir brings the same nodes back with their IPs and pod ranges
  --workers N                     run the nodes (kubelets, their pods, runtimes and kube-proxies) in N
                                  worker threads beside the control plane, which keeps the main thread:
                                  both cores of one process (default 0: everything on one thread).
                                  Not with --bus nats:// nor --record; --inspect sees the control plane
  --controllers LIST              controllers to run, as kube-controller-manager's flag: * (all enabled
                                  by default), NAME to add, -NAME to drop (default *)
  --node-monitor-grace-period D   how long a node may go without renewing its Lease before it is
                                  marked Unknown (default 50s; Go duration)
  --horizontal-pod-autoscaler-sync-period D
                                  how often each HorizontalPodAutoscaler is looked at (default 15s;
                                  Go duration, as kube-controller-manager's flag)
  --metric-resolution D           how often metrics-server scrapes every kubelet's usage for the
                                  metrics API (kubectl top, HorizontalPodAutoscalers; default 15s;
                                  Go duration, as metrics-server's flag)
  --request-timeout D             how long an API request that is not a watch or a log stream may
                                  take, reading its body included, before a 504 Timeout (default
                                  60s; Go duration, as kube-apiserver's flag)
  --max-requests-inflight N, --max-mutating-requests-inflight N
                                  the seats API Priority and Fairness shares among the priority levels
                                  is their sum (default 400 + 200, as kube-apiserver's flags); 0 and 0
                                  turn flow control off (every request runs at once)
  --default-not-ready-toleration-seconds N, --default-unreachable-toleration-seconds N
                                  seconds of the NoExecute tolerations added to every pod (default 300)
  --service-cluster-ip-range CIDR Services' ClusterIPs (default 127.96.0.0/12: Kubernetes' 10.96.0.0/12
                                  on loopback, so kube-proxy binds them on this host; when another
                                  kubeactor on this host holds it, the next free /12 below, kept per
                                  data dir; the kubernetes Service gets the first address, 127.96.0.1)
  --load-balancer-cidr CIDR       where LoadBalancer Services' EXTERNAL-IPs come from; each listens there
                                  and forwards to the NodePorts (default 127.0.2.0/24, or the next free
                                  /24 up to 127.0.15.0/24 when another kubeactor on this host holds it)
${KUBELET_FLAGS_HELP}
${UP_CLIENT_LIMIT_FLAGS_HELP}
  --ingress-http-port N, --ingress-https-port N
                                  the ingress controller's HTTP and HTTPS ports on the last address of the
                                  load-balancer range (${lastHost(DEFAULT_LOAD_BALANCER_CIDR)} by default; default
                                  80 and 443, free ports when those cannot be bound; 0 picks a free one).
                                  It serves the Ingresses of the default IngressClass kubeactor
  --cluster-domain DOMAIN         the cluster's DNS domain, served by cluster DNS and searched by pods
                                  (default cluster.local)
  --dns-address HOST[:PORT]       where cluster DNS listens, UDP and TCP (default 127.0.0.10 on a free port, so
                                  clusters beside each other never collide; kube-proxy forwards kube-dns's
                                  ClusterIP:53 there, which is what pods and \`dig @<ClusterIP>\` use)
  --authorization-mode LIST       the authorizer chain after system:masters, as kube-apiserver's flag:
                                  Node, RBAC, AlwaysAllow, AlwaysDeny, comma-separated (default Node,RBAC)
  --encryption-provider-config FILE
                                  encrypt resources at rest, as kube-apiserver's flag: an
                                  apiserver.config.k8s.io/v1 EncryptionConfiguration (aescbc, aesgcm,
                                  secretbox, identity); the first provider encrypts, every one reads
  --seed N                        seed of every actor's ids and randomness (default 1)
  --print-env                     once ready, print only shell assignments on stdout (KUBECONFIG, and
                                  USE_EXISTING_CLUSTER=true for controller-runtime's envtest), and
                                  everything else on stderr: for test suites in other languages
  --inspect[=GLOB]                stream the state charts of matching actors to the XState inspector
                                  (default GLOB: ${DEFAULT_INSPECT_SELECT}; comma-separated; 'pod.*' adds pods)
  --inspect-port N                the inspector's port on 127.0.0.1 (default 8080)
  --ui[=PORT]                     serve the web UI (cluster, actor charts, messages) on 127.0.0.1:PORT
                                  (default ${DEFAULT_UI_PORT}; 0 = any free port); prints its URL
  --ui-address ADDR               where the web UI listens (default 127.0.0.1); any other address asks
                                  for the kubeconfig's bearer token
${AUDIT_FLAGS_HELP}
${RUNTIME_FLAGS_HELP}
${RECORD_FLAGS_HELP}
${BUS_FLAGS_HELP}
  -h, --help                      this text

Stops gracefully on Ctrl-C (SIGINT) or SIGTERM.`;

const options = {
  ...busFlagOptions,
  ...recordFlagOptions,
  ...runtimeFlagOptions,
  ...auditFlagOptions,
  'data-dir': { type: 'string' },
  storage: { type: 'string' },
  port: { type: 'string' },
  nodes: { type: 'string' },
  workers: { type: 'string' },
  seed: { type: 'string' },
  'print-env': { type: 'boolean' },
  controllers: { type: 'string' },
  'node-monitor-grace-period': { type: 'string' },
  'horizontal-pod-autoscaler-sync-period': { type: 'string' },
  'request-timeout': { type: 'string' },
  'metric-resolution': { type: 'string' },
  'max-requests-inflight': { type: 'string' },
  'max-mutating-requests-inflight': { type: 'string' },
  'load-balancer-cidr': { type: 'string' },
  'service-cluster-ip-range': { type: 'string' },
  'default-not-ready-toleration-seconds': { type: 'string' },
  'default-unreachable-toleration-seconds': { type: 'string' },
  inspect: { type: 'string' },
  'inspect-port': { type: 'string' },
  ui: { type: 'string' },
  'ui-address': { type: 'string' },
  'cluster-domain': { type: 'string' },
  'dns-address': { type: 'string' },
  'authorization-mode': { type: 'string' },
  'encryption-provider-config': { type: 'string' },
  ...kubeletFlagOptions,
  ...clientLimitFlagOptions,
  'ingress-http-port': { type: 'string' },
  'ingress-https-port': { type: 'string' },
} as const;

/** `--inspect` may come without a value; parseArgs wants one, so the default glob is filled in. */
const withInspectDefault = (argv: string[]) => argv.map((a) => (a === '--inspect' ? `--inspect=${DEFAULT_INSPECT_SELECT}` : a === '--ui' ? `--ui=${DEFAULT_UI_PORT}` : a));

export async function up(argv: string[]): Promise<number> {
  const { values, positionals } = parse(withInspectDefault(argv), options);
  // With --print-env stdout carries only the assignments, so a script can source it.
  print = values['print-env'] ? console.error : console.log;
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const storage = (values.storage ?? 'lmdb') as StorageKind;
  if (storage !== 'lmdb' && storage !== 'memory') throw new UsageError(`--storage must be lmdb or memory, got "${storage}"`);
  const dataDir = resolve(values['data-dir'] ?? '.kubeactor');
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
  const port = intFlag('port', values.port, 6443);
  const overNats = values.bus !== undefined && values.bus !== 'inproc';
  // Over NATS each process speaks as one identity, and kubelets are not the control plane's to hold.
  const nodes = intFlag('nodes', values.nodes, overNats ? 0 : 3);
  if (overNats && nodes > 0) {
    throw new UsageError('--nodes must be 0 with --bus nats://…: run nodes in their own process with `kubeactor node --bus …`');
  }
  const workers = intFlag('workers', values.workers, 0);
  if (workers > 0 && overNats) throw new UsageError('--workers cannot be combined with --bus nats://…: worker threads join the control plane over their own transport');
  if (workers > 0 && values.record !== undefined) throw new UsageError('--workers cannot be combined with --record yet: a recording taps one thread\'s bus');
  if (workers > nodes) throw new UsageError(`--workers ${workers} needs at least as many nodes (--nodes ${nodes})`);
  const inspectPort = intFlag('inspect-port', values['inspect-port'], 8080);
  const uiPort = values.ui === undefined ? undefined : intFlag('ui', values.ui, DEFAULT_UI_PORT);
  const uiAddress = values['ui-address'] ?? '127.0.0.1';
  const ingressPorts = {
    ...(values['ingress-http-port'] === undefined ? {} : { httpPort: intFlag('ingress-http-port', values['ingress-http-port'], 80) }),
    ...(values['ingress-https-port'] === undefined ? {} : { httpsPort: intFlag('ingress-https-port', values['ingress-https-port'], 443) }),
  };
  const tolerationSeconds = {
    notReady: intFlag('default-not-ready-toleration-seconds', values['default-not-ready-toleration-seconds'], 300),
    unreachable: intFlag('default-unreachable-toleration-seconds', values['default-unreachable-toleration-seconds'], 300),
  };
  const grace = values['node-monitor-grace-period'];
  durationFlag('node-monitor-grace-period', grace, 0);
  const hpaSync = values['horizontal-pod-autoscaler-sync-period'];
  if (durationFlag('horizontal-pod-autoscaler-sync-period', hpaSync, 15_000) === 0) throw new UsageError('--horizontal-pod-autoscaler-sync-period must be more than 0');
  const metricResolutionMs = durationFlag('metric-resolution', values['metric-resolution'], DEFAULT_METRIC_RESOLUTION_MS);
  if (metricResolutionMs === 0) throw new UsageError('--metric-resolution must be more than 0');
  const requestTimeoutMs = durationFlag('request-timeout', values['request-timeout'], DEFAULT_REQUEST_TIMEOUT_MS);
  if (requestTimeoutMs === 0) throw new UsageError('--request-timeout must be more than 0');
  const seats = intFlag('max-requests-inflight', values['max-requests-inflight'], 400) + intFlag('max-mutating-requests-inflight', values['max-mutating-requests-inflight'], 200);
  // A request waits in its queue at most a quarter of its timeout (upstream's rule).
  const flowControl = seats > 0 ? new FlowControl({ serverConcurrencyLimit: seats, queueWaitMs: requestTimeoutMs / 4 }) : undefined;
  const recording = recordingFrom(values);
  const runtimes = runtimeFrom(values);
  const clusterDomain = values['cluster-domain'] ?? DEFAULT_CLUSTER_DOMAIN;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(clusterDomain)) throw new UsageError(`--cluster-domain must be a DNS subdomain, got "${clusterDomain}"`);
  const dnsListen = dnsAddressFlag(values['dns-address']);
  const kubeletConfig = kubeletConfigFrom(values, dataDir);
  const clientLimits = clientLimitsFrom(values, ['controller-manager', 'scheduler', 'kubelet']);
  const encryption = encryptionFrom(values['encryption-provider-config']);
  const serviceAsked = serviceRangeFlag(values['service-cluster-ip-range']);
  const loadBalancerAsked = cidrFlag('load-balancer-cidr', values['load-balancer-cidr']);
  const authorizationModes = authorizationModesFlag(values['authorization-mode']);
  // A policy that cannot be used stops `up` here, before anything starts (as kube-apiserver exits).
  const audit = auditFrom(values);
  if (values['audit-policy-file'] && !values['audit-log-path']) warn('--audit-policy-file without --audit-log-path: no audit log is written');
  // Before anything writes to it: a directory left open to others is named, not changed (see actors/data-dir.ts).
  const loose = loosePermissionsWarning(dataDir, looseEntries(dataDir));
  ensurePrivateDir(dataDir);
  if (loose) warn(loose);
  if (runtimes.fallback && nodes > 0) warn(runtimes.fallback);
  // kube-proxy binds ClusterIPs on this host: a second cluster beside this one gets its own range.
  const serviceCidr = claimAddresses(SERVICE_RANGES, serviceAsked, dataDir, warn);
  // kubeadm's choice: kube-dns's ClusterIP is the Service range's 10th address (the kubelets' clusterDNS).
  const clusterDNS = kubeDnsIP(serviceCidr);

  // Listen before starting anything: a signal during start-up must also stop gracefully.
  const stopSignal = untilSignal();
  const clock = recording.clock;
  const { bus, describe, identity } = workers > 0
    ? { bus: WorkersBus.main({ clock, ...(inboxLimitFlag(values) === undefined ? {} : { inboxLimit: inboxLimitFlag(values)! }) }), describe: `worker threads (the control plane on the main thread, the nodes in ${workers} workers)`, identity: CONTROL_PLANE }
    : await openBus(values, CONTROL_PLANE, clock);
  say(`bus: ${describe}`);

  let inspector: Inspector | undefined;
  if (values.inspect !== undefined) {
    inspector = await startInspector({ port: inspectPort, select: values.inspect });
    say(`inspecting ${values.inspect}`);
  }
  let recorder: Recorder | undefined;
  // The UI's feed is made before the host: pods are observable only from their start.
  const uiParts = uiPort === undefined ? undefined : prepareLiveUi(bus, clock);
  const cp = await startControlPlane({
    bus,
    clock,
    storage,
    dataDir,
    seed,
    apiserver: { defaultTolerationSeconds: tolerationSeconds, serviceCidr, authorizationModes, ...(encryption ? { encryption } : {}), ...(audit ? { audit } : {}), flowControl: flowControl ?? false },
    ...(inspector || uiParts ? { inspectFor: (a: string) => bothInspect(uiParts?.feed.inspectFor(a), inspector?.inspectFor(a)) } : {}),
    beforeStart: (host) => {
      recorder = recording.start({ bus, host, seed, identity, say });
    },
  });
  inspector?.follow(cp.host);
  say(`kv: ${storage === 'lmdb' ? `lmdb at ${dataDir}/kv` : 'in memory (nothing survives a restart)'} (revision ${cp.backend.revision()})`);
  if (encryption) say(`encryption at rest: ${encryption.describe()}`);
  say(`apiserver: serving (namespaces default, kube-system, kube-public, kube-node-lease; ClusterIPs from ${serviceCidr})`);
  const scheduler = startScheduler(cp.host, clientLimits.scheduler ? { clientConnection: clientLimits.scheduler } : {});
  // A recorded run keeps its metrics-server: the kubelets' answers (usage read outside the log) are
  // recorded, and a replay feeds them to metrics-server without asking the kubelets again.
  const metricsServer = startMetricsServer(cp.host, { resolutionMs: metricResolutionMs });
  say(`metrics-server: metrics.k8s.io/v1beta1 from every kubelet each ${formatGoDuration(metricResolutionMs)} (kubectl top nodes, kubectl top pods)`);
  say('scheduler: default-scheduler (annotate a pod with scheduler.kubeactor.io/explain=true, then `kubeactor explain-schedule POD`)');
  const loadBalancerCIDR = claimAddresses(LOAD_BALANCER_RANGES, loadBalancerAsked, dataDir, warn);
  // The ingress controller listens on the last address of the cluster's load-balancer range,
  // which the load balancers leave to it: a second cluster on this host has its own.
  const ingressAddress = lastHost(loadBalancerCIDR);
  let controllers;
  try {
    controllers = startControllers(cp.host, {
      controllers: values.controllers ?? '*',
      ...(clientLimits['controller-manager'] ? { clientLimits: clientLimits['controller-manager'] } : {}),
      options: {
        'local-path': { 'storage-dir': `${dataDir}/storage` },
        // The CA the front serves with (it reads the same files), for every namespace's kube-root-ca.crt.
        'root-ca-cert-publisher': { 'root-ca': (await loadOrCreateTls(dataDir)).caCert },
        // The same CA signs approved CertificateSigningRequests (paths: a recording holds no key).
        csrsigning: { 'cluster-signing-cert-file': tlsFiles(dataDir).caCert, 'cluster-signing-key-file': tlsFiles(dataDir).caKey },
        'cloud-service': { 'serve-traffic': true, loadBalancerCIDR, reserved: [ingressAddress] },
        ...(grace === undefined ? {} : { nodelifecycle: { 'node-monitor-grace-period': grace } }),
        ...(hpaSync === undefined ? {} : { horizontalpodautoscaling: { 'horizontal-pod-autoscaler-sync-period': hpaSync } }),
      },
    });
  } catch (err) {
    await cp.stop();
    throw new UsageError((err as Error).message);
  }
  say(`controllers: ${controllers.names.join(', ') || '(none)'}`);
  const dns = startDns(cp.host, { clusterIP: clusterDNS, clusterDomain, listen: dnsListen, metricsPort: values['dns-address'] === undefined ? 0 : DNS_METRICS_PORT });
  // Binding is quick; a bind that never answers must not hold the cluster back.
  const listened = await Promise.race([dns.listening, new Promise<null>((r) => setTimeout(r, 10_000, null).unref())]);
  if (listened === null) warn(`dns: not listening on ${dnsListen.host}:${dnsListen.port} after 10s`);
  else if (listened.ok) say(`dns: kube-dns ${clusterDNS} (${clusterDomain}) served at ${listened.host}:${listened.port}`);
  else warn(`dns: cannot listen on ${listened.host}:${listened.port} (${listened.error}): cluster DNS is not served`);
  let ingress: RunningIngress;
  try {
    ingress = await startIngressController(cp.host, { ...ingressPorts, address: ingressAddress });
  } catch (err) {
    controllers.stop();
    await cp.stop();
    throw new UsageError(`ingress: ${(err as Error).message}`);
  }
  if (ingress.fallback) warn(`ingress: ${ingress.fallback}`);
  say(`ingress: http://${ingress.address}:${ingress.httpPort} https://${ingress.address}:${ingress.httpsPort} (IngressClass kubeactor, the default)`);
  if (controllers.names.includes('cloud-service')) say(`load balancers: EXTERNAL-IPs from ${loadBalancerCIDR}, forwarding to the NodePorts`);

  const { front, kubeconfig } = await startKubectlFront({ bus, dataDir, port, requestTimeoutMs, metrics: cp.host.metrics, ...(audit ? { audit } : {}), ...(flowControl ? { flowControl } : {}) });
  if (audit) say(`audit: policy ${values['audit-policy-file']}, log ${values['audit-log-path']}`);
  say(`API: ${front.url}`);
  const apiEndpoints = publishApiEndpoints(bus, new URL(front.url), warn);
  const clusterCIDR = nodes > 0 ? claimClusterCidr(values, dataDir, warn) : runtimes.clusterCIDR;
  const nodeRange = nodes > 0 ? claimAddresses(NODE_RANGES, undefined, dataDir, warn) : undefined;
  const configure = (name: string) => ({ ...kubeletConfig(name), ...kubeletLimits(clientLimits), clusterDNS: [clusterDNS], clusterDomain });
  const sim = nodes === 0 ? undefined
    : bus instanceof WorkersBus
      ? await startWorkerNodes(bus, { workers, count: nodes, seed, defaultRuntime: runtimes.defaultRuntime, imagesFile: values.images === undefined ? undefined : resolve(values.images), dataDir, clusterCIDR, nodeRange, clusterDNS: [clusterDNS], configure, proxy: true })
      : await startInProcessNodes(cp.host, bus, nodes, clock, { ...runtimes, clusterCIDR, ...(nodeRange ? { nodeRange } : {}), dataDir, configure, log: runtimeLog(say, warn) });
  if (sim) say(`nodes: ${sim.names.join(', ')} (default runtime ${runtimes.defaultRuntime}; RuntimeClasses sim and process; pod range ${clusterCIDR})`);
  if (sim && 'threads' in sim) sim.threads.forEach((names, i) => say(`worker ${i + 1}: ${names.join(', ')}`));
  if (sim) say(`kube-proxy: on every node (NodePorts on each node's IP; ClusterIPs bound by the first Ready node; /healthz on port ${HEALTHZ_PORT})`);
  const ui = uiPort === undefined ? undefined : await startLiveUi({ host: cp.host, bus, clock, prepared: uiParts, port: uiPort, address: uiAddress, ...(isLoopback(uiAddress) ? {} : { token: await loadOrCreateToken(dataDir) }) });
  if (inspector) print(inspectorBanner(inspector));
  if (ui) print(uiBanner(ui.server));
  print(`kubeconfig: ${kubeconfig}`);
  print(`  export KUBECONFIG=${kubeconfig}; kubectl get nodes`);
  say('ready. Ctrl-C stops.');
  if (values['print-env']) console.log(envAssignments(kubeconfig));

  const signal = await stopSignal;
  say(`${signal}: stopping`);
  // The recording ends with every actor's checkpoint, then logs the shutdown's deliveries for a moment.
  const recorded = recorder?.stop();
  await sim?.stop();
  dns.stop();
  await ingress.stop();
  controllers.stop();
  scheduler.stop();
  metricsServer.stop();
  apiEndpoints.stop();
  await front.close();
  await recorded;
  await cp.stop();
  await audit?.close();
  await inspector?.close();
  await ui?.close();
  say('stopped');
  return 0;
}

/** --encryption-provider-config: read and checked before anything starts (kube-apiserver exits on a bad file too). */
function encryptionFrom(path: string | undefined): Transformers | undefined {
  if (path === undefined) return undefined;
  try {
    return new Transformers(loadEncryptionConfig(resolve(path)));
  } catch (e) {
    throw new CliError(`error while loading encryption config: ${(e as Error).message}`);
  }
}

/** kube-apiserver's rule: an IPv4 range no larger than a /12 (20 bits of host addresses). */
function serviceRangeFlag(value: string | undefined): string | undefined {
  const cidr = cidrFlag('service-cluster-ip-range', value);
  if (cidr === undefined) return undefined;
  const bits = Number(cidr.split('/')[1]);
  if (bits < 12) throw new UsageError(`specified --service-cluster-ip-range is too large; for 32-bit addresses, the mask must be >= 12`);
  if (bits > 30) throw new UsageError(`--service-cluster-ip-range: ${cidr} holds no Service address besides the kubernetes Service's; the mask must be <= 30`);
  return cidr;
}

/**
 * `--nodes N` runs node-1 … node-N on every start: the same data directory gets the same
 * nodes back, each adopting its Node (InternalIP, pod range, the pods bound to it), as a
 * restarted kubelet does. A node left from a larger N stays NotReady until deleted.
 */
async function startInProcessNodes(host: ActorHost, bus: Bus, count: number, clock: Clock, o: RuntimeChoice & { nodeRange?: string; dataDir: string; configure: (name: string) => Partial<KubeletOptions>; log: Logger }): Promise<SimNodes> {
  const lister = bus.register('edge.node-lister', () => {});
  try {
    return await startSimNodes({ host, count, startIndex: 1, clock, lister, proxy: true, ...o });
  } finally {
    lister.close();
  }
}

/** `--workers N`: the same nodes as `--nodes N` gives, in worker threads (actors/node-workers/). */
async function startWorkerNodes(bus: WorkersBus, o: Omit<NodeWorkersOptions, 'bus' | 'lister'>): Promise<NodeWorkers> {
  const lister = bus.register('edge.node-lister', () => {});
  try {
    return await startNodeWorkers({ bus, lister, ...o });
  } catch (err) {
    throw new CliError((err as Error).message);
  } finally {
    lister.close();
  }
}

/** `--dns-address HOST[:PORT]`: an IPv4 address, port 53 unless given. */
function dnsAddressFlag(value: string | undefined): { host: string; port: number } {
  // A free port by default: the kube-dns ClusterIP (the cluster's own range) is the fixed :53.
  if (value === undefined) return { host: DEFAULT_DNS_LISTEN.host, port: 0 };
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(value);
  const port = m?.[2] === undefined ? 53 : Number(m[2]);
  if (!m || !isIPv4(m[1]!) || port > 65535) throw new UsageError(`--dns-address must be IPv4[:PORT], got "${value}"`);
  return { host: m[1]!, port };
}

/** Where `kubeactor up` reports progress: stdout, or stderr under --print-env. */
let print: (line: string) => void = console.log;

function say(line: string): void {
  print(`kubeactor: ${line}`);
}

/**
 * --print-env's lines, for `sh`'s `.`: the kubeconfig, and controller-runtime's switch that
 * makes envtest use it instead of starting its own etcd and kube-apiserver.
 */
export function envAssignments(kubeconfig: string): string {
  const quoted = `'${kubeconfig.replaceAll("'", `'\\''`)}'`;
  return `export KUBECONFIG=${quoted}\nexport USE_EXISTING_CLUSTER=true`;
}

function warn(line: string): void {
  console.error(`kubeactor: warning: ${line}`);
}

function authorizationModesFlag(value: string | undefined): AuthorizationMode[] {
  if (value === undefined) return [...DEFAULT_AUTHORIZATION_MODES];
  try {
    return parseAuthorizationModes(value);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
