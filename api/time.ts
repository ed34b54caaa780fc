/**
 * The one place that writes times as Kubernetes does: RFC 3339 in UTC, at the precision
 * each field asks for. Pure arithmetic on epoch ms (Hinnant's civil-from-days), so charts
 * use these without touching Date.
 */

/**
 * RFC 3339 in whole seconds (`2024-05-01T12:00:00Z`), as Kubernetes serializes
 * metav1.Time. Sub-second ms are dropped (floored), as the apiserver does.
 */
export function rfc3339(ms: number): string {
  const secs = Math.floor(ms / 1000);
  // Every object written in one second shares one string: a pod carries about 25 timestamps in
  // each of its copies, and they are mostly the same few seconds.
  if (secs === last.secs) return last.text;
  last.secs = secs;
  last.text = format(secs);
  return last.text;
}

const last = { secs: Number.NaN, text: '' };

function format(secs: number): string {
  const days = Math.floor(secs / 86400);
  const sod = secs - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${String(year).padStart(4, '0')}-${p2(month)}-${p2(day)}T${p2(Math.floor(sod / 3600))}:${p2(Math.floor(sod / 60) % 60)}:${p2(sod % 60)}Z`;
}

/** metav1.MicroTime: RFC 3339 with six fractional digits (`…T12:00:01.500250Z`), as Lease.spec.renewTime is written. */
export function microTime(ms: number): string {
  // Floored to the microsecond, as Go truncates; every time of one second shares its prefix.
  const micros = Math.floor(ms * 1000);
  const secs = Math.floor(micros / 1e6);
  if (secs !== lastMicro.secs) {
    lastMicro.secs = secs;
    lastMicro.prefix = rfc3339(secs * 1000).slice(0, -1);
  }
  return `${lastMicro.prefix}.${String(micros - secs * 1e6).padStart(6, '0')}Z`;
}

const lastMicro = { secs: Number.NaN, prefix: '' };

/** RFC 3339 with nine fractional digits at ms precision (`…T12:00:01.500000000Z`), as CRI log lines are stamped. */
export function rfc3339Nano(ms: number): string {
  const whole = Math.floor(ms / 1000) * 1000;
  const millis = String(Math.floor(ms - whole)).padStart(3, '0');
  return `${rfc3339(whole).slice(0, -1)}.${millis}000000Z`;
}
