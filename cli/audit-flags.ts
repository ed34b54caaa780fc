import { resolve } from 'node:path';
import { PolicyError } from '../api/audit/policy.ts';
import { auditorFromFlags, type Auditor } from '../actors/apiserver/audit/auditor.ts';
import { CliError, intFlag } from './args.ts';

/** kube-apiserver's audit flags, for `up`. */
export const auditFlagOptions = {
  'audit-policy-file': { type: 'string' },
  'audit-log-path': { type: 'string' },
  'audit-log-maxsize': { type: 'string' },
  'audit-log-maxbackup': { type: 'string' },
  'audit-log-maxage': { type: 'string' },
} as const;

export const AUDIT_FLAGS_HELP = `  --audit-policy-file FILE        an audit.k8s.io/v1 Policy: which requests are logged at which level (None,
                                  Metadata, Request, RequestResponse); without it nothing is audited
  --audit-log-path PATH           where audit.k8s.io/v1 Events go, one JSON line each; - for stdout
  --audit-log-maxsize MB          rotate the log past MB megabytes (default 100) into
                                  <name>-<UTC time>.log, e.g. audit-2026-12-04T15-04-05.000.log
  --audit-log-maxbackup N         rotated files to keep (default 0: all)
  --audit-log-maxage DAYS         days to keep rotated files (default 0: forever)`;

export interface AuditFlagValues {
  'audit-policy-file'?: string | undefined;
  'audit-log-path'?: string | undefined;
  'audit-log-maxsize'?: string | undefined;
  'audit-log-maxbackup'?: string | undefined;
  'audit-log-maxage'?: string | undefined;
}

/**
 * The Auditor the flags ask for, or undefined (no policy, or no log path). A policy file that
 * cannot be read or is not a valid Policy is a CliError, before anything starts.
 */
export function auditFrom(values: AuditFlagValues): Auditor | undefined {
  const path = values['audit-log-path'];
  const flags = {
    maxSizeMB: intFlag('audit-log-maxsize', values['audit-log-maxsize'], 0),
    maxBackups: intFlag('audit-log-maxbackup', values['audit-log-maxbackup'], 0),
    maxAgeDays: intFlag('audit-log-maxage', values['audit-log-maxage'], 0),
    ...(values['audit-policy-file'] ? { policyFile: resolve(values['audit-policy-file']) } : {}),
    ...(path ? { logPath: path === '-' ? '-' : resolve(path) } : {}),
  };
  try {
    return auditorFromFlags(flags) ?? undefined;
  } catch (err) {
    if (err instanceof PolicyError) throw new CliError(err.message);
    throw new CliError(`audit: ${(err as Error).message}`);
  }
}
