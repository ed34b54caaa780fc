import { Type } from '@sinclair/typebox';
import { request } from './define.ts';

/**
 * The apiserver's calls to admission webhooks (address `apiserver.webhooks`): the HTTPS POST
 * of an AdmissionReview is an effect, so it travels as a bus request and its answer comes
 * back as the reply — recorded, and fed back to a replayed apiserver instead of calling again.
 * A call that gets no HTTP answer (refused, timed out, untrusted certificate) replies with a
 * failure Status whose message says why, as Go's HTTP client would.
 */
export const admissionMessages = {
  'webhook.call': request(
    Type.Object({
      /** The https URL, with the `?timeout=<n>s` upstream appends. */
      url: Type.String(),
      /** PEM bundle (base64, as in clientConfig.caBundle) the server's certificate must chain to; absent: the system roots. */
      caBundle: Type.Optional(Type.String()),
      /** The name the certificate must be valid for, when the URL's host is an address (a Service's DNS name). */
      serverName: Type.Optional(Type.String()),
      timeoutSeconds: Type.Integer({ minimum: 1, maximum: 30 }),
      body: Type.Unknown(),
    }),
    Type.Object({ code: Type.Integer(), body: Type.Unknown() }),
  ),
};
