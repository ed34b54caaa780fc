// The proxy bench's load generator (plain JavaScript, no imports but Node's, so it also runs
// inside a process pod: bench/proxy.ts passes this file's text to `kubectl exec … node -e`
// and calls `main` there). `get` and `load` are the host client's too.
import { Agent, request } from 'node:http';

/** One GET of /bench at `t` ({host, port, hostHeader?}); resolves with its latency in ms, or -1 on an error. */
export function get(agent, t) {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const req = request({ host: t.host, port: t.port, path: '/bench', agent, ...(t.hostHeader ? { headers: { host: t.hostHeader } } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? Number(process.hrtime.bigint() - t0) / 1e6 : -1));
    });
    req.on('error', () => resolve(-1));
    req.end();
  });
}

/** `concurrency` loops of back-to-back requests for `seconds` through `agent`, loop i to target i mod n. */
export async function load(targets, agent, seconds, concurrency, into) {
  const end = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, i) => {
    const t = targets[i % targets.length];
    while (Date.now() < end) {
      const ms = await get(agent, t);
      if (ms < 0) into.errors++;
      else into.latencies.push(ms);
    }
  }));
}

/**
 * Two target sets in alternating slices of `slice` seconds, `seconds` each with keep-alive
 * connections (after a warm-up), as the host side pairs a path with direct; prints one JSON
 * line: per set, requests/s, p50/p99 ms, errors and this process's CPU µs per request.
 */
export async function main({ a, b, seconds, slice, concurrency }) {
  const agents = [new Agent({ keepAlive: true, maxSockets: concurrency }), new Agent({ keepAlive: true, maxSockets: concurrency })];
  const sets = [a, b];
  const tallies = sets.map(() => ({ latencies: [], errors: 0, cpu: 0 }));
  for (let k = 0; k < 2; k++) await load(sets[k], agents[k], 0.5, concurrency, { latencies: [], errors: 0 });
  for (let i = 0; i < seconds / slice; i++) {
    for (let k = 0; k < 2; k++) {
      const c0 = process.cpuUsage();
      await load(sets[k], agents[k], slice, concurrency, tallies[k]);
      const c = process.cpuUsage(c0);
      tallies[k].cpu += c.user + c.system;
    }
  }
  for (const ag of agents) ag.destroy();
  const pct = (xs, p) => (xs.length ? [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : 0);
  console.log(JSON.stringify(tallies.map((t) => ({
    requests_per_s: t.latencies.length / seconds, p50_ms: pct(t.latencies, 50), p99_ms: pct(t.latencies, 99), errors: t.errors,
    cpu_us_client: t.cpu / Math.max(1, t.latencies.length),
  }))));
}
