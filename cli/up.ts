import { DEFAULT_AUTHORIZATION_MODES, parseAuthorizationModes, type AuthorizationMode } from '../actors/apiserver/authorizer.ts';
import { dirname, resolve } from 'node:path';
import { kubeDnsIP } from '../actors/apiserver/allocators.ts';
import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_DNS_LISTEN, startDns } from '../actors/dns/actor.ts';
import { DNS_METRICS_PORT } from '../actors/dns/publish.ts';
import { isIPv4 } from '../machines/dns/names.ts';
import { CONTROL_PLANE } from '../bus/identities.ts';
import { isEtcdStorage, startControlPlane } from '../actors/cluster.ts';
import { DEFAULT_ETCD_PREFIX, etcdOptionsFrom, type EtcdFlags } from '../actors/kv/etcd.ts';
import { describeStorage, storageFlag } from './storage-flag.ts';
import { LOAD_BALANCER_RANGES, NODE_RANGES, SERVICE_RANGES } from '../actors/address-claims.ts';
import { ensurePrivateDir, looseEntries, loosePermissionsWarning } from '../actors/data-dir.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS, loadOrCreateToken, startKubectlFront, writeKubeconfig } from '../actors/apiserver/http/index.ts';
import { APISERVER_QUEUE, SplitBus } from '../bus/split.ts';
import { InProcessBus } from '../bus/inprocess.ts';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { apiserverKubeconfigPath } from './kubeconfigs.ts';
import { publishApiEndpoints } from '../actors/apiserver/kubernetes-endpoints.ts';
import { startSimNodes, type SimNodes } from '../actors/kubelet/index.ts';
import { HEALTHZ_PORT } from '../machines/kube-proxy/rules.ts';
import type { Clock } from '../base/clock.ts';
import type { Bus } from '../bus/bus.ts';
import { selectControllers } from '../actors/controllers/start.ts';
import { realClock } from '../base/real-clock.ts';
import type { ControlPlane } from '../actors/cluster.ts';
import type { LeaderElectChoice } from './leader-elect-flags.ts';
import type { ClientLimits } from '../actors/client/rate-limit.ts';
import type { BusFlags } from './bus-flags.ts';
import { loadOrCreateTls, tlsFiles } from '../actors/apiserver/http/tls/cert.ts';
import { startMetricsServer } from '../actors/metrics-server/index.ts';
import { DEFAULT_METRIC_RESOLUTION_MS } from '../machines/metrics-server/chart.ts';
import { formatGoDuration } from '../api/duration.ts';
import { startIngressController, type RunningIngress } from '../actors/ingress/index.ts';
import { prepareLiveUi, startLiveUi } from '../actors/ui/live-source.ts';
import { bothInspect } from '../actors/lifecycle.ts';
import { DEFAULT_UI_PORT, isLoopback, uiBanner } from '../actors/ui/server.ts';
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
import { LEADER_ELECT_FLAGS_HELP, leaderElectFlagOptions, leaderElectFrom, withLeaderElectDefault } from './leader-elect-flags.ts';
import { roleFlag, startComponents, type Role } from './roles.ts';
import { NATS_PROGRESS_NOTIFY_MS } from '../actors/apiserver/server.ts';
import { ActorHost } from '../actors/host.ts';
import { ROLE_IDENTITIES } from '../bus/identities.ts';
import { APISERVER_ADDRESS } from '../bus/permissions.ts';

export const UP_HELP = `kubeactor up — run a Kubernetes control plane and its nodes

Usage: kubeactor up [flags]

Flags:
  --role all|apiserver|scheduler|controller-manager
                                  what this process runs (default all: everything). The others need
                                  --bus nats://… and run in as many copies as wanted: apiserver (the
                                  kv actor, the apiserver and its HTTPS front; one copy with memory or
                                  lmdb storage), scheduler and controller-manager (standbys until their
                                  Lease is theirs, see --leader-elect). Each role connects to NATS as
                                  its own identity (apiserver, scheduler, controller-manager): only the
                                  apiserver's may reach the kv actor
  --data-dir DIR                  where the store, certificates and kubeconfig live (default .kubeactor;
                                  created 0700, its files 0600; a looser existing one is warned about)
  --storage lmdb|memory|etcd://HOST:PORT[,HOST:PORT…]|jetstream[:BUCKET]
                                  the kv actor's backend (default lmdb: durable, in DIR/kv); etcd://
                                  keeps the store in an etcd v3 cluster (its revisions, watches and
                                  compaction; several apiservers may share it); jetstream a NATS
                                  JetStream KV bucket (default kubeactor) on the --bus servers
                                  (several apiservers may share it too)
  --etcd-prefix P                 with etcd://: where the keys live in etcd (default /registry, as
                                  kube-apiserver's flag)
  --etcd-cafile F, --etcd-certfile F, --etcd-keyfile F
                                  with etcd://: TLS to the members (the CA; a client certificate and key)
  --storage-replicas 1|3          with jetstream: the bucket's replicas (3 on a three-server cluster;
                                  default 1)
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
  --watch-progress-notify-interval D
                                  on NATS: how often an apiserver sends a BOOKMARK to a watch it has
                                  sent nothing since; an informer takes a watch silent for 3 of these
                                  as dead (its apiserver died) and watches again on another apiserver
                                  (default 5s; 0s: no heartbeats; Go duration, as etcd's flag)
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
${LEADER_ELECT_FLAGS_HELP}
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
  ...leaderElectFlagOptions,
  role: { type: 'string' },
  'data-dir': { type: 'string' },
  storage: { type: 'string' },
  'etcd-prefix': { type: 'string' },
  'etcd-cafile': { type: 'string' },
  'etcd-certfile': { type: 'string' },
  'etcd-keyfile': { type: 'string' },
  'storage-replicas': { type: 'string' },
  port: { type: 'string' },
  nodes: { type: 'string' },
  workers: { type: 'string' },
  seed: { type: 'string' },
  'print-env': { type: 'boolean' },
  controllers: { type: 'string' },
  'node-monitor-grace-period': { type: 'string' },
  'horizontal-pod-autoscaler-sync-period': { type: 'string' },
  'request-timeout': { type: 'string' },
  'watch-progress-notify-interval': { type: 'string' },
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
  const { values, positionals } = parse(withLeaderElectDefault(withInspectDefault(argv)), options);
  // With --print-env stdout carries only the assignments, so a script can source it.
  print = values['print-env'] ? console.error : console.log;
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const dataDir = resolve(values['data-dir'] ?? '.kubeactor');
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
  const port = intFlag('port', values.port, 6443);
  const overNats = values.bus !== undefined && values.bus !== 'inproc';
  const role = roleFlag(values.role);
  if (role !== 'all' && !overNats) throw new UsageError(`--role ${role} needs --bus nats://HOST:PORT: a role runs in its own process and finds the others on NATS`);
  const leaderElect = leaderElectFrom(values);
  const storage = storageFlag(values.storage, values['storage-replicas'], overNats);
  const etcd = etcdFlagsFrom(values, storage.kind);
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
  if (values['watch-progress-notify-interval'] !== undefined && !overNats) throw new UsageError('--watch-progress-notify-interval needs --bus nats://…: in one process a watch cannot die silently');
  const progressNotifyMs = durationFlag('watch-progress-notify-interval', values['watch-progress-notify-interval'], overNats ? NATS_PROGRESS_NOTIFY_MS : 0);
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
  if (role === 'scheduler' || role === 'controller-manager') {
    return runComponentRole(role, stopSignal, {
      values,
      seed,
      leaderElect,
      schedulerLimits: clientLimits.scheduler,
      controllerLimits: clientLimits['controller-manager'],
      controllerOptions: async () => controllerOptions(dataDir, claimAddresses(LOAD_BALANCER_RANGES, loadBalancerAsked, dataDir, warn), grace, hpaSync),
    });
  }
  const clock = recording.clock;
  const opened = workers > 0
    ? { bus: WorkersBus.main({ clock, ...(inboxLimitFlag(values) === undefined ? {} : { inboxLimit: inboxLimitFlag(values)! }) }), describe: `worker threads (the control plane on the main thread, the nodes in ${workers} workers)`, identity: CONTROL_PLANE }
    : await openBus(values, role === 'apiserver' ? ROLE_IDENTITIES.apiserver : CONTROL_PLANE, clock);
  const { describe, identity } = opened;
  say(`bus: ${describe}`);
  // One of several apiservers on a shared store: its kv actor and its front stay private (bus/split.ts).
  const several = role === 'apiserver' && (isEtcdStorage(storage.kind) || storage.kind === 'jetstream');
  const bus = several ? new SplitBus(new InProcessBus({ clock }), opened.bus) : opened.bus;
  if (several) say(`apiserver: one of several on ${storage.kind}: components reach any of them (NATS queue group "${APISERVER_QUEUE}"); this process's kv actor and HTTPS front talk only to its own apiserver`);
  if (overNats && (storage.kind === 'memory' || storage.kind === 'lmdb')) await refuseSecondApiserver(bus, storage.kind);

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
    ...(etcd ? { etcd } : {}),
    dataDir,
    seed,
    apiserver: { defaultTolerationSeconds: tolerationSeconds, serviceCidr, authorizationModes, ...(encryption ? { encryption } : {}), ...(audit ? { audit } : {}), flowControl: flowControl ?? false, ...(progressNotifyMs ? { progressNotifyMs } : {}) },
    ...(inspector || uiParts ? { inspectFor: (a: string) => bothInspect(uiParts?.feed.inspectFor(a), inspector?.inspectFor(a)) } : {}),
    beforeStart: (host) => {
      recorder = recording.start({ bus, host, seed, identity, say });
    },
  });
  inspector?.follow(cp.host);
  say(`kv: ${describeStorage(storage, dataDir, etcd?.prefix ?? DEFAULT_ETCD_PREFIX)} (revision ${cp.backend.revision()})`);
  if (encryption) say(`encryption at rest: ${encryption.describe()}`);
  if (progressNotifyMs) say(`watches: a BOOKMARK every ${formatGoDuration(progressNotifyMs)} to those idle that allow bookmarks; informers re-watch one silent for 3 of them`);
  say(`apiserver: serving (namespaces default, kube-system, kube-public, kube-node-lease; ClusterIPs from ${serviceCidr})`);
  if (role === 'apiserver') return serveApiserverRole(cp, stopSignal, { bus, dataDir, port, requestTimeoutMs, ...(several ? { busAddress: `edge.http-${randomBytes(4).toString('hex')}` } : {}), ...(audit ? { audit } : {}), ...(flowControl ? { flowControl } : {}) });
  const loadBalancerCIDR = claimAddresses(LOAD_BALANCER_RANGES, loadBalancerAsked, dataDir, warn);
  let components;
  try {
    components = await startComponents(cp.host, {
      scheduler: true,
      controllers: true,
      leaderElect,
      schedulerLimits: clientLimits.scheduler,
      controllerSelection: values.controllers ?? '*',
      controllerLimits: clientLimits['controller-manager'],
      controllerOptions: () => controllerOptions(dataDir, loadBalancerCIDR, grace, hpaSync),
      ownInformers: false,
      say,
    });
  } catch (err) {
    await cp.stop();
    throw err;
  }
  // A recorded run keeps its metrics-server: the kubelets' answers (usage read outside the log) are
  // recorded, and a replay feeds them to metrics-server without asking the kubelets again.
  const metricsServer = startMetricsServer(cp.host, { resolutionMs: metricResolutionMs });
  say(`metrics-server: metrics.k8s.io/v1beta1 from every kubelet each ${formatGoDuration(metricResolutionMs)} (kubectl top nodes, kubectl top pods)`);
  say('scheduler: default-scheduler (annotate a pod with scheduler.kubeactor.io/explain=true, then `kubeactor explain-schedule POD`)');
  // The ingress controller listens on the last address of the cluster's load-balancer range,
  // which the load balancers leave to it: a second cluster on this host has its own.
  const ingressAddress = lastHost(loadBalancerCIDR);
  const controllerNames = selectControllers(values.controllers ?? '*');
  say(`controllers: ${controllerNames.join(', ') || '(none)'}`);
  if (leaderElect.enabled) say(`leader election: Leases kube-scheduler, kube-controller-manager, cloud-controller-manager in ${leaderElect.namespace} (identity ${components.identity})`);
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
    await components.stop();
    await cp.stop();
    throw new UsageError(`ingress: ${(err as Error).message}`);
  }
  if (ingress.fallback) warn(`ingress: ${ingress.fallback}`);
  say(`ingress: http://${ingress.address}:${ingress.httpPort} https://${ingress.address}:${ingress.httpsPort} (IngressClass kubeactor, the default)`);
  if (controllerNames.includes('cloud-service')) say(`load balancers: EXTERNAL-IPs from ${loadBalancerCIDR}, forwarding to the NodePorts`);

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
  await components.stop();
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

/** What the controllers are given besides their selection (as kube-controller-manager's and cloud-controller-manager's flags). */
async function controllerOptions(dataDir: string, loadBalancerCIDR: string, grace: string | undefined, hpaSync: string | undefined): Promise<Record<string, Record<string, unknown>>> {
  return {
    'local-path': { 'storage-dir': `${dataDir}/storage` },
    // The CA the front serves with (it reads the same files), for every namespace's kube-root-ca.crt.
    'root-ca-cert-publisher': { 'root-ca': (await loadOrCreateTls(dataDir)).caCert },
    // The same CA signs approved CertificateSigningRequests (paths: a recording holds no key).
    csrsigning: { 'cluster-signing-cert-file': tlsFiles(dataDir).caCert, 'cluster-signing-key-file': tlsFiles(dataDir).caKey },
    // The ingress controller keeps the range's last address (see `up`).
    'cloud-service': { 'serve-traffic': true, loadBalancerCIDR, reserved: [lastHost(loadBalancerCIDR)] },
    ...(grace === undefined ? {} : { nodelifecycle: { 'node-monitor-grace-period': grace } }),
    ...(hpaSync === undefined ? {} : { horizontalpodautoscaling: { 'horizontal-pod-autoscaler-sync-period': hpaSync } }),
  };
}

/**
 * `--role scheduler|controller-manager`: an actor host on NATS with no apiserver of its own,
 * speaking as the role's identity; its components wait as standbys until their candidate leads.
 */
async function runComponentRole(
  role: 'scheduler' | 'controller-manager',
  stopSignal: Promise<NodeJS.Signals>,
  o: { values: BusFlags & { controllers?: string | undefined }; seed: number; leaderElect: LeaderElectChoice; schedulerLimits: Partial<ClientLimits> | undefined; controllerLimits: Partial<ClientLimits> | undefined; controllerOptions: () => Promise<Record<string, Record<string, unknown>>> },
): Promise<number> {
  const { bus, describe } = await openBus(o.values, ROLE_IDENTITIES[role], realClock);
  say(`bus: ${describe}`);
  const host = new ActorHost({ bus, clock: realClock, seed: o.seed });
  let components;
  try {
    components = await startComponents(host, {
      scheduler: role === 'scheduler',
      controllers: role === 'controller-manager',
      leaderElect: o.leaderElect,
      schedulerLimits: o.schedulerLimits,
      controllerSelection: o.values.controllers ?? '*',
      controllerLimits: o.controllerLimits,
      controllerOptions: o.controllerOptions,
      ownInformers: true,
      say,
    });
  } catch (err) {
    host.stopAll();
    await bus.close();
    throw err;
  }
  say(`${role}: ${o.leaderElect.enabled ? `a candidate for its Lease in ${o.leaderElect.namespace}, idle until it leads` : 'running (--leader-elect=false)'} (identity ${components.identity})`);
  say('ready. Ctrl-C stops.');
  const signal = await stopSignal;
  say(`${signal}: stopping`);
  await components.stop();
  host.stopAll();
  await bus.close();
  say('stopped');
  return 0;
}

/** `--role apiserver`: the kv actor, the apiserver and its HTTPS front, nothing else. */
async function serveApiserverRole(cp: ControlPlane, stopSignal: Promise<NodeJS.Signals>, o: Parameters<typeof startKubectlFront>[0]): Promise<number> {
  const token = await loadOrCreateToken(o.dataDir);
  const { front } = await startKubectlFront({ ...o, token, metrics: cp.host.metrics });
  say(`API: ${front.url}`);
  const apiEndpoints = publishApiEndpoints(o.bus, new URL(front.url), warn);
  // One kubeconfig per apiserver (`kubeactor kubeconfigs` lists them); DIR/kubeconfig is the last one started.
  const path = apiserverKubeconfigPath(o.dataDir, new URL(front.url).port);
  ensurePrivateDir(dirname(path));
  const kubeconfig = await writeKubeconfig({ dataDir: o.dataDir, server: front.url, token, caCert: front.caCert }, path);
  print(`kubeconfig: ${kubeconfig}`);
  say('ready (role apiserver: run the scheduler, the controller-managers and the nodes with --role scheduler, --role controller-manager and `kubeactor node`). Ctrl-C stops.');
  const signal = await stopSignal;
  say(`${signal}: stopping`);
  apiEndpoints.stop();
  await front.close();
  rmSync(kubeconfig, { force: true });
  await cp.stop();
  say('stopped');
  return 0;
}

/**
 * memory and lmdb stores belong to one process: a second apiserver on them would be a second,
 * diverging store (or a second writer of one LMDB file). It is refused when an apiserver already
 * answers on the bus.
 */
async function refuseSecondApiserver(bus: Bus, storage: string): Promise<void> {
  const probe = bus.register(`edge.kv-probe-${process.pid}`, () => {});
  try {
    const r = await probe.request(APISERVER_ADDRESS, 'sys.ping', { n: 0 }, { timeoutMs: 2_000 });
    if (r.ok) {
      await bus.close();
      throw new CliError(`an apiserver already runs on this bus: --storage ${storage} allows one apiserver (its store lives in that process); stop it, or use a shared store for several`);
    }
  } finally {
    probe.close();
  }
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

/** kube-apiserver's --etcd-* flags: only with etcd:// storage, checked (and the TLS files read) before anything starts. */
function etcdFlagsFrom(values: Record<string, unknown>, storage: string): EtcdFlags | undefined {
  const names = ['etcd-prefix', 'etcd-cafile', 'etcd-certfile', 'etcd-keyfile'] as const;
  const given = names.filter((n) => values[n] !== undefined);
  if (!isEtcdStorage(storage)) {
    if (given.length) throw new UsageError(`--${given[0]} needs --storage etcd://HOST:PORT`);
    return undefined;
  }
  const str = (n: (typeof names)[number]) => values[n] as string | undefined;
  const flags: EtcdFlags = {
    ...(str('etcd-prefix') !== undefined ? { prefix: str('etcd-prefix')! } : {}),
    ...(str('etcd-cafile') !== undefined ? { cafile: str('etcd-cafile')! } : {}),
    ...(str('etcd-certfile') !== undefined ? { certfile: str('etcd-certfile')! } : {}),
    ...(str('etcd-keyfile') !== undefined ? { keyfile: str('etcd-keyfile')! } : {}),
  };
  try {
    etcdOptionsFrom(storage, flags);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return flags;
}
