/**
 * What API Priority and Fairness shows: its `apiserver_flowcontrol_*` metrics (Prometheus
 * text, upstream's names and labels) and the text tables of kube-apiserver's
 * /debug/api_priority_and_fairness/dump_priority_levels and dump_queues.
 */
import { WAIT_BUCKETS, type FlowControl, type Level } from './controller.ts';

const q = (v: string): string => JSON.stringify(v);

/** The apiserver_flowcontrol_* families. */
export function renderFlowMetrics(fc: FlowControl): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string): void => void out.push(`# HELP ${name} [BETA] ${help}`, `# TYPE ${name} ${type}`);
  const stats = [...fc.stats()].sort((a, b) => (a.priorityLevel + a.flowSchema < b.priorityLevel + b.flowSchema ? -1 : 1));
  const pair = (s: { flowSchema: string; priorityLevel: string }): string => `flow_schema=${q(s.flowSchema)},priority_level=${q(s.priorityLevel)}`;

  family('apiserver_flowcontrol_dispatched_requests_total', 'counter', 'Number of requests executed by API Priority and Fairness subsystem');
  for (const s of stats) out.push(`apiserver_flowcontrol_dispatched_requests_total{${pair(s)}} ${s.dispatched}`);
  family('apiserver_flowcontrol_rejected_requests_total', 'counter', 'Number of requests rejected by API Priority and Fairness subsystem');
  for (const s of stats) {
    for (const [reason, n] of Object.entries(s.rejected)) if (n > 0) out.push(`apiserver_flowcontrol_rejected_requests_total{${pair(s)},reason=${q(reason)}} ${n}`);
  }
  family('apiserver_flowcontrol_current_executing_requests', 'gauge', 'Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem');
  for (const s of stats) out.push(`apiserver_flowcontrol_current_executing_requests{${pair(s)}} ${s.executing}`);
  family('apiserver_flowcontrol_current_inqueue_requests', 'gauge', 'Number of requests currently pending in queues of the API Priority and Fairness subsystem');
  for (const s of stats) out.push(`apiserver_flowcontrol_current_inqueue_requests{${pair(s)}} ${s.waiting}`);
  // One flow's histogram: cumulative buckets over WAIT_BUCKETS, then +Inf, sum and count.
  const histogram = (name: string, help: string, of: (s: (typeof stats)[number]) => { buckets: number[]; sum: number }): void => {
    family(name, 'histogram', help);
    for (const s of stats) {
      const { buckets, sum } = of(s);
      let cum = 0;
      WAIT_BUCKETS.forEach((le, i) => {
        cum += buckets[i]!;
        out.push(`${name}_bucket{${pair(s)},le=${q(String(le))}} ${cum}`);
      });
      cum += buckets[WAIT_BUCKETS.length]!;
      out.push(`${name}_bucket{${pair(s)},le="+Inf"} ${cum}`, `${name}_sum{${pair(s)}} ${sum}`, `${name}_count{${pair(s)}} ${cum}`);
    }
  };
  histogram('apiserver_flowcontrol_request_wait_duration_seconds', 'Length of time a request spent waiting in its queue', (s) => ({ buckets: s.waitBuckets, sum: s.waitSum }));
  histogram('apiserver_flowcontrol_request_execution_seconds', 'Duration of initial stage (for a WATCH) or any (for a non-WATCH) stage of request execution in the API Priority and Fairness subsystem', (s) => ({ buckets: s.execBuckets, sum: s.execSum }));
  // Seat borrowing's gauges, per level (upstream's names; the demand ones as of the last adjustment).
  const levels = [...fc.levels()].sort(([a], [b]) => (a < b ? -1 : 1));
  const gauge = (name: string, help: string, of: (l: Level) => number): void => {
    family(name, 'gauge', help);
    for (const [level, l] of levels) out.push(`${name}{priority_level=${q(level)}} ${of(l)}`);
  };
  gauge('apiserver_flowcontrol_nominal_limit_seats', 'Nominal number of execution seats configured for each priority level', (l) => l.plan.bounds.nominal);
  gauge('apiserver_flowcontrol_lower_limit_seats', 'Configured lower bound on number of execution seats available to each priority level', (l) => l.plan.bounds.lower);
  gauge('apiserver_flowcontrol_upper_limit_seats', 'Configured upper bound on number of execution seats available to each priority level', (l) => l.plan.bounds.upper);
  gauge('apiserver_flowcontrol_current_limit_seats', 'current derived number of execution seats available to each priority level', (l) => l.set?.limit ?? 0);
  gauge('apiserver_flowcontrol_demand_seats_average', 'Time-weighted average, over last adjustment period, of demand_seats', (l) => l.stats.average);
  gauge('apiserver_flowcontrol_demand_seats_stdev', 'Time-weighted standard deviation, over last adjustment period, of demand_seats', (l) => l.stats.deviation);
  gauge('apiserver_flowcontrol_demand_seats_high_watermark', 'High watermark, over last adjustment period, of demand_seats', (l) => l.stats.highWatermark);
  gauge('apiserver_flowcontrol_demand_seats_smoothed', 'Smoothed seat demands', (l) => l.stats.smoothed);
  gauge('apiserver_flowcontrol_target_seats', 'Seat allocation targets', (l) => l.target);
  family('apiserver_flowcontrol_seat_fair_frac', 'gauge', 'Fair fraction of server\'s concurrency to allocate to each priority level that can use it');
  out.push(`apiserver_flowcontrol_seat_fair_frac ${fc.fairProp}`);
  return `${out.join('\n')}\n`;
}

/** Rows as upstream writes them: cells joined by ",\t" through Go's tabwriter (minwidth 8, padding 1). */
function table(rows: string[][]): string {
  const cells = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : `${c},`)));
  const widths = cells[0]!.map((_, i) => Math.max(8, ...cells.map((r) => (r[i] ?? '').length + 1)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('')).join('\n') + '\n';
}

/** dump_priority_levels: one row per level (exempt levels show <none>). */
export function dumpPriorityLevels(fc: FlowControl): string {
  const rows = [['PriorityLevelName', 'ActiveQueues', 'IsIdle', 'IsQuiescing', 'WaitingRequests', 'ExecutingRequests', 'DispatchedRequests', 'RejectedRequests', 'TimedoutRequests', 'CancelledRequests']];
  const totals = new Map<string, { dispatched: number; rejected: number; timedOut: number }>();
  for (const s of fc.stats()) {
    const t = totals.get(s.priorityLevel) ?? { dispatched: 0, rejected: 0, timedOut: 0 };
    t.dispatched += s.dispatched;
    t.rejected += s.rejected['queue-full'] + s.rejected['concurrency-limit'];
    t.timedOut += s.rejected['time-out'];
    totals.set(s.priorityLevel, t);
  }
  for (const [name, l] of [...fc.levels()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const t = totals.get(name) ?? { dispatched: 0, rejected: 0, timedOut: 0 };
    if (!l.set) {
      rows.push([name, ...new Array<string>(9).fill('<none>')]);
      continue;
    }
    let active = 0;
    for (let i = 0; i < l.set.queueCount; i++) if (l.set.queueLength(i) > 0) active++;
    const idle = l.set.executing === 0 && l.set.waiting === 0;
    rows.push([name, `${active}`, `${idle}`, 'false', `${l.set.waiting}`, `${l.set.executing}`, `${t.dispatched}`, `${t.rejected}`, `${t.timedOut}`, '0']);
  }
  return table(rows);
}

/** dump_queues: one row per queue of each queuing level. */
export function dumpQueues(fc: FlowControl): string {
  const rows = [['PriorityLevelName', 'Index', 'PendingRequests', 'ExecutingRequests', 'SeatsInUse', 'NextDispatchR', 'InitialSeatsSum', 'MaxSeatsSum', 'TotalWorkSum']];
  for (const [name, l] of [...fc.levels()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!l.set) {
      rows.push([name, ...new Array<string>(8).fill('<none>')]);
      continue;
    }
    for (let i = 0; i < l.set.queueCount; i++) {
      const pending = l.set.queueLength(i);
      const executing = l.set.queueExecuting(i);
      // Every request is one seat of unit work here, so the seat sums are the request counts.
      rows.push([name, `${i}`, `${pending}`, `${executing}`, `${executing}`, `${l.set.nextR(i).toFixed(8)}ss`, `${pending}`, `${pending}`, `${pending.toFixed(8)}ss`]);
    }
  }
  return table(rows);
}
