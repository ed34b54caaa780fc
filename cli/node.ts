import { resolve } from 'node:path';
import { DEFAULT_CLUSTER_DOMAIN } from '../actors/dns/actor.ts';
import { isIPv4 } from '../machines/dns/names.ts';
import { NODES, nodeIdentity } from '../bus/identities.ts';
import { nodeNames, startNodeProcess, type NodeProcess } from '../actors/node-process.ts';
import { NODE_RANGES } from '../actors/address-claims.ts';
import type { Recorder } from '../actors/record/recorder.ts';
import { CliError, intFlag, parse, UsageError } from './args.ts';
import { busFlagOptions, INSECURE_BUS_HELP, MAX_INBOX_HELP, openBus } from './bus-flags.ts';
import { RECORD_FLAGS_HELP, recordFlagOptions, recordingFrom } from './record-flags.ts';
import { claimAddresses, claimClusterCidr, RUNTIME_FLAGS_HELP, runtimeFlagOptions, runtimeFrom, runtimeLog } from './runtime-flags.ts';
import { untilSignal } from './signals.ts';
import { KUBELET_FLAGS_HELP, kubeletConfigFrom, kubeletFlagOptions } from './kubelet-flags.ts';
import { clientLimitFlagOptions, clientLimitsFrom, kubeletLimits, NODE_CLIENT_LIMIT_FLAGS_HELP } from './client-limit-flags.ts';

export const NODE_HELP = `kubeactor node — run kubelets that join a control plane on NATS

Usage: kubeactor node --bus nats://HOST:PORT --name NAME [flags]

Runs K nodes (one kubelet each, with its pod actors; runtime handlers sim and process) in
this process. The control plane runs elsewhere ("kubeactor up --bus nats://HOST:PORT") on the
same NATS server and cluster prefix.

Flags:
  --name NAME                     the node's name; with --count K > 1 the nodes are NAME-1 … NAME-K
  --count K                       how many nodes this process runs (default 1)
  --seed N                        seed of every actor's ids and randomness (default 1)
  --bus nats://HOST:PORT          the NATS server of the cluster (required: "inproc" cannot reach another process)
  --nats-prefix PREFIX            subject prefix of the cluster on NATS (default kubeactor)
  --nats-identity ID              this process's NATS identity (default node-NAME for one node,
                                  nodes for several); its claims must cover kubelet.<node> of every node
  --nats-user USER, --nats-pass PASS
                                  NATS credentials (default user = identity; env KUBEACTOR_NATS_PASS)
  --data-dir DIR                  where process nodes keep pods' files and logs (DIR/nodes/NAME) and
                                  volumes (DIR/kubelet/NAME, kubelet's --root-dir); default .kubeactor
  --cluster-dns IP                the nameserver of ClusterFirst pods (kubelet's clusterDNS; default
                                  the ClusterIP of the kube-system/kube-dns Service, read from the
                                  control plane at start, as kubeadm writes clusterDNS from it)
  --cluster-domain DOMAIN         the cluster's DNS domain (default cluster.local)
${RUNTIME_FLAGS_HELP}
${KUBELET_FLAGS_HELP}
${NODE_CLIENT_LIMIT_FLAGS_HELP}
${INSECURE_BUS_HELP}
${MAX_INBOX_HELP}
${RECORD_FLAGS_HELP}
  -h, --help                      this text

A node name is a DNS label: lower-case letters, digits and '-'.
Stops gracefully on Ctrl-C (SIGINT) or SIGTERM; the Nodes stay registered and turn
NotReady when their Leases expire, as with a stopped kubelet.

A recording holds what this process's kubelets and pods receive, not the control plane's
side: record that with "kubeactor up --record A.log", and "kubeactor replay --timeline
A.log B.log" merges the two by time.`;

const options = {
  ...busFlagOptions,
  ...recordFlagOptions,
  ...runtimeFlagOptions,
  ...kubeletFlagOptions,
  ...clientLimitFlagOptions,
  'data-dir': { type: 'string' },
  name: { type: 'string' },
  count: { type: 'string' },
  seed: { type: 'string' },
  'cluster-dns': { type: 'string' },
  'cluster-domain': { type: 'string' },
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export async function node(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, options);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const url = values.bus;
  if (url === undefined) throw new UsageError('--bus nats://HOST:PORT is required: a node joins a control plane that runs in another process');
  if (url === 'inproc') {
    throw new UsageError('--bus inproc cannot work here: a node process joins a control plane in another process, which needs NATS (--bus nats://HOST:PORT); to run nodes in-process, use "kubeactor up --nodes N"');
  }
  if (!/^nats:\/\/[^/\s]+$/.test(url)) throw new UsageError(`--bus must be nats://HOST:PORT, got "${url}"`);
  const name = values.name;
  if (name === undefined) throw new UsageError('--name is required');
  const count = intFlag('count', values.count, 1);
  if (count < 1) throw new UsageError('--count must be at least 1');
  const names = nodeNames(name, count);
  const badName = names.find((n) => n.length > 63 || !DNS_LABEL.test(n));
  if (badName !== undefined) throw new UsageError(`node name "${badName}" is not a DNS label (lower-case letters, digits and '-', at most 63)`);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
  const recording = recordingFrom(values);
  const runtimes = runtimeFrom(values);
  const dataDir = resolve(values['data-dir'] ?? '.kubeactor');
  const clusterDNS = values['cluster-dns'];
  if (clusterDNS !== undefined && !isIPv4(clusterDNS)) throw new UsageError(`--cluster-dns must be an IPv4 address, got "${clusterDNS}"`);
  const kubeletConfig = kubeletConfigFrom(values, dataDir);
  const limits = kubeletLimits(clientLimitsFrom(values, ['kubelet']));

  // Listen before starting anything: a signal during start-up must also stop gracefully.
  const stopSignal = untilSignal();
  const identity = count === 1 ? nodeIdentity(name) : NODES;
  // A signal during start-up aborts the wait for registration; what started is stopped.
  const abort = new AbortController();
  let interrupted: NodeJS.Signals | undefined;
  void stopSignal.then((signal) => {
    interrupted = signal;
    abort.abort();
  });
  let running: NodeProcess;
  let recorder: Recorder | undefined;
  try {
    const clock = recording.clock;
    const opened = await openBus(values, identity, clock);
    const bus = opened.bus;
    say(`bus: ${opened.describe}`);
    running = await startNodeProcess({
      bus,
      names,
      seed,
      clock,
      signal: abort.signal,
      defaultRuntime: runtimes.defaultRuntime,
      images: runtimes.images,
      clusterCIDR: claimClusterCidr(values, dataDir, warn),
      nodeRange: claimAddresses(NODE_RANGES, undefined, dataDir, warn),
      dataDir,
      configure: (n) => ({ ...kubeletConfig(n), ...limits, clusterDomain: values['cluster-domain'] ?? DEFAULT_CLUSTER_DOMAIN }),
      clusterDNS: clusterDNS === undefined ? 'kube-dns' : [clusterDNS],
      runtimeLog: runtimeLog(say, warn),
      proxy: true,
      beforeStart: (host) => {
        recorder = recording.start({ bus, host, seed, identity: opened.identity, say });
      },
    });
  } catch (err) {
    await recorder?.stop();
    if (interrupted) {
      say(`${interrupted}: stopped before the nodes joined`);
      return 0;
    }
    // Nothing is left running (startNodeProcess closed the bus): one line, exit code 1.
    throw new CliError((err as Error).message);
  }
  if (interrupted) {
    say(`${interrupted}: stopping`);
    const recorded = recorder?.stop();
    await running.stop();
    await recorded;
    say('stopped');
    return 0;
  }
  if (runtimes.fallback) warn(runtimes.fallback);
  say(`${count} kubelet${count > 1 ? 's' : ''} (${names.join(', ')}) joined NATS ${url}`);
  for (const n of names) {
    const a = running.addresses.get(n);
    if (a) say(`  ${n}: InternalIP ${a.hostIP}, pod range ${a.podCIDR}, default runtime ${runtimes.defaultRuntime}`);
  }
  const dns = running.clusterDNS?.[0];
  if (dns === undefined) warn('cluster DNS: the control plane has no kube-system/kube-dns Service: ClusterFirst pods get the host\'s resolv.conf (MissingClusterDNS); --cluster-dns IP names a nameserver');
  else say(`cluster DNS: ${dns}${clusterDNS === undefined ? ' (the kube-dns Service\'s ClusterIP)' : ''}`);
  say(`kube-proxy: with each kubelet (NodePorts and /healthz on the node's IP; ClusterIPs bound by the cluster's first Ready node)`);
  say('ready. Ctrl-C stops.');

  const signal = await stopSignal;
  say(`${signal}: stopping`);
  // The recording ends with every actor's checkpoint, then logs the kubelets' shutdown for a moment.
  const recorded = recorder?.stop();
  await running.stop();
  await recorded;
  say('stopped');
  return 0;
}

function say(line: string): void {
  console.log(`kubeactor node: ${line}`);
}

function warn(line: string): void {
  console.error(`kubeactor node: warning: ${line}`);
}
