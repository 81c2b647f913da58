import type { BaseContext } from '@apollo/server';
import type { CallIdentity, SubgraphPolicy } from '../../auth/index.js';
import type { DisclosureContext } from '../../audit/index.js';
import type { References } from './references.js';

/**
 * What every subgraph's context holds: the verified caller, the server's clock (a test fixes it),
 * the records the gateway read for a write's references (subgraphs/shared/references.ts), and the
 * disclosure collector (set by the disclosure-log plugin).
 */
export type SubgraphContext = BaseContext & {
  identity: CallIdentity;
  now: () => Date;
  references: References;
  /** Reads this replica's grants on application again at once (after a decision on one). */
  refreshGrants: () => Promise<void>;
  /** The subgraph's sharing policy (which fields may be applied for, and by whom). */
  policy: SubgraphPolicy;
} & DisclosureContext;
