import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { formatResolvConf, hostsFile, parseResolvConf, podDnsConfig } from '../../../machines/kubelet/dns.ts';

const settings = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local' };
const host = parseResolvConf('# host\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example\noptions timeout:2 attempts:3\n');
const pod = (spec: Partial<PodSpec> = {}): Pod => ({ metadata: { name: 'p', namespace: 'shop', uid: 'u1' }, spec: { containers: [], ...spec } });

test('ClusterFirst: cluster nameserver, the namespace searches then the host\'s, ndots:5', () => {
  const { config, warning } = podDnsConfig(pod(), settings, host);
  assert.is(warning, undefined);
  assert.is(formatResolvConf(config), 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n');
});

test('hostNetwork with ClusterFirst gets Default; ClusterFirstWithHostNet keeps the cluster', () => {
  assert.equal(podDnsConfig(pod({ hostNetwork: true }), settings, host).config, host);
  assert.equal(podDnsConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), settings, host).config.nameservers, ['10.96.0.10']);
  assert.equal(podDnsConfig(pod({ dnsPolicy: 'Default' }), settings, host).config, host);
});

test('None takes only dnsConfig; dnsConfig merges without duplicates and overrides options by name', () => {
  const none = podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), settings, host).config;
  assert.is(formatResolvConf(none), 'search a.example\nnameserver 1.2.3.4\noptions ndots:2 edns0\n');
  const merged = podDnsConfig(pod({ dnsConfig: { nameservers: ['10.96.0.10', '1.1.1.1', '8.8.8.8', '9.9.9.9'], searches: ['svc.cluster.local', 'x.example'], options: [{ name: 'ndots', value: '1' }] } }), settings, host).config;
  assert.equal(merged.nameservers, ['10.96.0.10', '1.1.1.1', '8.8.8.8'], 'at most 3 nameservers');
  assert.equal(merged.searches, ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'x.example']);
  assert.equal(merged.options, ['ndots:1']);
});

test('without clusterDNS a ClusterFirst pod falls back to Default with kubelet\'s MissingClusterDNS warning', () => {
  const r = podDnsConfig(pod(), { clusterDNS: [], clusterDomain: 'cluster.local' }, host);
  assert.equal(r.config, host);
  assert.equal(r.warning, { reason: 'MissingClusterDNS', message: 'pod: "p_shop(u1)". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.' });
});

test('/etc/hosts: managed lines, FQDN with a subdomain, hostAliases; a hostNetwork pod gets the node\'s file', () => {
  const h = hostsFile(pod({ hostname: 'db-0', subdomain: 'db', hostAliases: [{ ip: '10.0.0.9', hostnames: ['a', 'b'] }] }), ['10.244.0.5'], 'cluster.local', '');
  assert.ok(h.startsWith('# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'));
  assert.ok(h.endsWith('fe00::2\tip6-allrouters\n10.244.0.5\tdb-0.db.shop.svc.cluster.local\tdb-0\n\n# Entries added by HostAliases.\n10.0.0.9\ta\tb\n'));
  assert.ok(hostsFile(pod(), ['10.244.0.6'], 'cluster.local', '').endsWith('\n10.244.0.6\tp\n'));
  assert.is(hostsFile(pod({ hostNetwork: true }), ['127.0.1.1'], 'cluster.local', '127.0.0.1 localhost\n'), '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n');
});

test.run();
