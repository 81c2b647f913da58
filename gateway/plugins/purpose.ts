// A declared purpose (domain.md: every request says why), or 400 PURPOSE_REQUIRED. With the
// authenticated caller and the request id it makes the call identity every subgraph call is
// signed for.
import { PURPOSES, parsePurpose } from '../../auth/index.js';
import { ErrorCode, Rejection } from '../../platform/index.js';
import type { GatewayPlugin } from '../plugin.js';

export interface PurposeOptions {
  /** The request header that names the purpose. Default `x-purpose`. */
  header?: string;
}

export const PURPOSE_HEADER = 'x-purpose';

export function usePurpose(options: PurposeOptions = {}): GatewayPlugin {
  const header = options.header ?? PURPOSE_HEADER;
  return {
    name: 'purpose',
    onRequest(req, res, next) {
      const purpose = parsePurpose(req.get(header));
      if (!purpose) {
        return next(new Rejection(400, ErrorCode.PURPOSE_REQUIRED, `Declare the purpose of the request in the ${header} header: one of ${PURPOSES.join(', ')}`));
      }
      const { principal, requestId } = res.locals;
      // The authentication and request-id plugins come first in every list that has this one.
      if (!principal || !requestId) return next(new Error('purpose check before authentication or request id'));
      res.locals.identity = { principal, purpose, requestId };
      next();
    },
  };
}
