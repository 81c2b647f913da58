import type { BaseContext } from '@apollo/server';
import type { CallIdentity } from '../../auth/index.js';
import type { DisclosureContext } from '../../audit/index.js';
import type { References } from './references.js';

/**
 * What every subgraph's context holds: the verified caller, the server's clock (a test fixes it),
 * the records the gateway read for a write's references (subgraphs/shared/references.ts), and the
 * disclosure collector (set by the disclosure-log plugin).
 */
export type SubgraphContext = BaseContext & { identity: CallIdentity; now: () => Date; references: References } & DisclosureContext;
