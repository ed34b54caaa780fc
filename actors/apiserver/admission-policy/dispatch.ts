/** Placeholder until the policy plugin lands: no policy applies. */
import type { Result } from '../../../base/status.ts';
import type { AdmissionAttributes } from '../../../api/admission/attributes.ts';
import type { ServerContext } from '../context.ts';
import type { Admitted } from '../webhooks/dispatch.ts';

export function validatingPolicies(_s: ServerContext, _a: AdmissionAttributes): Result<Admitted> | null {
  return null;
}
