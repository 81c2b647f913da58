// What the guards learn about a request, typed on Express's `res.locals` (instead of `any`): the
// gateway's guards set the caller and the call identity, a subgraph's its verified assertion.
import type { CallIdentity } from './assertion.js';
import type { Principal } from './principal.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express declares Locals in this namespace
  namespace Express {
    interface Locals {
      /** The caller, once their token is verified (gateway). */
      principal?: Principal;
      /** The caller and purpose every subgraph call is signed for (gateway), or the verified assertion's (subgraph). */
      identity?: CallIdentity;
    }
  }
}

export {};
